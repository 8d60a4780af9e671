package storetest

import (
	"bytes"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Server is a redis-server process a test started on a free port of its
// own, for fault tests: it can be stopped, killed, paused and started again
// on the same port with the same data folder. It is killed when the test
// ends.
type Server struct {
	t      testing.TB
	Port   int
	Dir    string // the data folder (AOF, cluster config, log)
	opts   ServerOptions
	cmd    *exec.Cmd
	exited chan struct{}
	starts int
}

// ServerOptions shapes a Server.
type ServerOptions struct {
	// Args are more redis-server arguments ("--requirepass", "x").
	Args []string
	// ConfigFile is read first (Sentinel needs a config file it can write).
	ConfigFile string
	// TLS listens with --tls-port on Port and no plain port; Args must name
	// the certificate files.
	TLS bool
	// Sentinel runs the server as a Sentinel.
	Sentinel bool
	// Ephemeral keeps nothing on disk; by default the server writes an
	// append-only file, fsynced on every write, so what it acknowledged
	// survives a kill and a restart.
	Ephemeral bool
}

// NeedBinary skips the test when a program is not on PATH, or fails it
// when HPP_TEST_REDIS=require: then a missing Redis can't turn the suite
// quietly green.
func NeedBinary(t testing.TB, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if Required() {
			t.Fatalf("HPP_TEST_REDIS=require but %s is not on PATH", name)
		}
		t.Skipf("%s is not on PATH", name)
	}
	return path
}

// FreePort returns a TCP port on 127.0.0.1 that nothing listens on.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// StartServer starts a redis-server on a free port and waits until it is
// ready to accept connections.
func StartServer(t testing.TB, opts ServerOptions) *Server {
	t.Helper()
	NeedBinary(t, "redis-server")
	s := &Server{t: t, Port: FreePort(t), Dir: t.TempDir(), opts: opts}
	t.Cleanup(s.cleanup)
	s.Start()
	return s
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return "127.0.0.1:" + strconv.Itoa(s.Port) }

// URL is a redis:// URL for the server.
func (s *Server) URL() string { return "redis://" + s.Addr() + "/0" }

func (s *Server) args() []string {
	var args []string
	if s.opts.ConfigFile != "" {
		args = append(args, s.opts.ConfigFile)
	}
	if s.opts.Sentinel {
		args = append(args, "--sentinel")
	}
	port := strconv.Itoa(s.Port)
	if s.opts.TLS {
		args = append(args, "--port", "0", "--tls-port", port)
	} else {
		args = append(args, "--port", port)
	}
	args = append(args, "--bind", "127.0.0.1", "--dir", s.Dir, "--logfile", s.logFile())
	if !s.opts.Sentinel {
		args = append(args, "--save", "")
		if s.opts.Ephemeral {
			args = append(args, "--appendonly", "no")
		} else {
			args = append(args, "--appendonly", "yes", "--appendfsync", "always")
		}
	}
	return append(args, s.opts.Args...)
}

func (s *Server) logFile() string { return filepath.Join(s.Dir, "redis.log") }

// Start starts the server (again) on its port and waits until it says it is
// ready to accept connections (after loading its data).
func (s *Server) Start() {
	s.t.Helper()
	if s.cmd != nil {
		s.t.Fatalf("redis-server on %d is already running", s.Port)
	}
	before := s.readyCount()
	cmd := exec.Command("redis-server", s.args()...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		s.t.Fatalf("starting redis-server: %v", err)
	}
	s.cmd = cmd
	s.exited = make(chan struct{})
	go func(exited chan struct{}) { _ = cmd.Wait(); close(exited) }(s.exited)
	deadline := time.Now().Add(20 * time.Second)
	for s.readyCount() <= before {
		select {
		case <-s.exited:
			s.cmd = nil
			log, _ := os.ReadFile(s.logFile())
			s.t.Fatalf("redis-server on %d exited at start: %s\n%s", s.Port, out.String(), tail(log))
		default:
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(s.logFile())
			s.t.Fatalf("redis-server on %d did not become ready:\n%s", s.Port, tail(log))
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.starts++
}

// readyCount counts the start-ups the log records as ready (a Sentinel
// says it monitors its master).
func (s *Server) readyCount() int {
	data, _ := os.ReadFile(s.logFile())
	marker := "Ready to accept connections"
	if s.opts.Sentinel {
		marker = "+monitor master"
	}
	return bytes.Count(data, []byte(marker))
}

// Stop shuts the server down gracefully (SIGTERM: it flushes its
// append-only file) and waits for it to exit.
func (s *Server) Stop() { s.signal(syscall.SIGTERM, true) }

// Kill kills the server (SIGKILL: a crash) and waits for it to exit.
func (s *Server) Kill() { s.signal(syscall.SIGKILL, true) }

// Pause freezes the server (SIGSTOP): it accepts connections but answers
// nothing, like a Redis that hangs.
func (s *Server) Pause() { s.signal(syscall.SIGSTOP, false) }

// Resume unfreezes a paused server.
func (s *Server) Resume() { s.signal(syscall.SIGCONT, false) }

func (s *Server) signal(sig syscall.Signal, wait bool) {
	s.t.Helper()
	if s.cmd == nil {
		s.t.Fatalf("redis-server on %d is not running", s.Port)
	}
	if err := s.cmd.Process.Signal(sig); err != nil {
		s.t.Fatalf("signalling redis-server: %v", err)
	}
	if !wait {
		return
	}
	select {
	case <-s.exited:
	case <-time.After(20 * time.Second):
		s.t.Fatalf("redis-server on %d did not exit after %v", s.Port, sig)
	}
	s.cmd = nil
}

// Log returns the server's log, for a failing test to show.
func (s *Server) Log() string {
	data, _ := os.ReadFile(s.logFile())
	return tail(data)
}

func (s *Server) cleanup() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Signal(syscall.SIGCONT)
	_ = s.cmd.Process.Kill()
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
	}
	s.cmd = nil
}

func tail(b []byte) string {
	const max = 4000
	if len(b) > max {
		b = b[len(b)-max:]
	}
	return string(b)
}

// NeedTLS skips the test when redis-server was built without TLS (it
// refuses --tls-port as a bad directive), or fails it when
// HPP_TEST_REDIS=require.
func NeedTLS(t testing.TB) {
	t.Helper()
	NeedBinary(t, "redis-server")
	// Listening nowhere, it exits at once: after reading its configuration.
	out, _ := exec.Command("redis-server", "--port", "0", "--tls-port", "0", "--save", "", "--appendonly", "no", "--dir", t.TempDir()).CombinedOutput()
	if bytes.Contains(out, []byte("FATAL CONFIG")) {
		if Required() {
			t.Fatalf("HPP_TEST_REDIS=require but redis-server has no TLS: %s", out)
		}
		t.Skipf("redis-server has no TLS: %s", out)
	}
}
