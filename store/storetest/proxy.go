package storetest

import (
	"bytes"
	"io"
	"net"
	"sync"
	"testing"
	"time"
)

// Proxy passes TCP connections through to a Redis, and can hold the
// commands that match a pattern for a while before passing them on: a
// Redis that answers slower than the client waits, without being down.
// It listens on 127.0.0.1 and stops when the test ends.
type Proxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	hold  time.Duration
	match [][]byte
	wg    sync.WaitGroup
	conns []net.Conn
}

// StartProxy starts a proxy in front of the Redis at target (host:port).
func StartProxy(t testing.TB, target string) *Proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{ln: ln, target: target}
	p.wg.Add(1)
	go p.accept()
	t.Cleanup(p.Close)
	return p
}

// Addr is the proxy's address.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// URL is a redis:// URL for the proxy.
func (p *Proxy) URL() string { return "redis://" + p.Addr() + "/0" }

// Hold makes every chunk from a client that contains any of the patterns
// wait d before it goes on to Redis; d of 0 stops holding.
func (p *Proxy) Hold(d time.Duration, patterns ...string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.hold = d
	p.match = p.match[:0]
	for _, s := range patterns {
		p.match = append(p.match, []byte(s))
	}
}

func (p *Proxy) holdFor(chunk []byte) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, m := range p.match {
		if bytes.Contains(chunk, m) {
			return p.hold
		}
	}
	return 0
}

// Close stops the proxy and every connection through it.
func (p *Proxy) Close() {
	p.ln.Close()
	p.mu.Lock()
	for _, c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", p.target)
		if err != nil {
			client.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, client, server)
		p.mu.Unlock()
		p.wg.Add(2)
		go func() {
			defer p.wg.Done()
			defer server.Close()
			buf := make([]byte, 64*1024)
			for {
				n, err := client.Read(buf)
				if n > 0 {
					if d := p.holdFor(buf[:n]); d > 0 {
						time.Sleep(d)
					}
					if _, werr := server.Write(buf[:n]); werr != nil {
						return
					}
				}
				if err != nil {
					return
				}
			}
		}()
		go func() {
			defer p.wg.Done()
			defer client.Close()
			_, _ = io.Copy(client, server)
		}()
	}
}
