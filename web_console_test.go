package main

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// TestConsoleWebLink is the acceptance path: `go run .` with HPP_PUBLIC_URL
// set, /hpp web prints a link; opening it and pressing Sign in shows My
// cases; the same link the second time is refused.
func TestConsoleWebLink(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	base := "http://" + addr
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(nil, env(map[string]string{"HPP_PUBLIC_URL": base, "HPP_ADDR": addr}), inR, outW, io.Discard)
		outW.Close()
	}()
	lines := make(chan string, 100)
	go func() {
		sc := bufio.NewScanner(outR)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	io.WriteString(inW, "/hpp open INC-77 harm=low Synthetic slip\n/hpp web\n")
	link := regexp.MustCompile(regexp.QuoteMeta(base) + `/signin/[A-Za-z0-9_-]{43}`)
	var got string
	timeout := time.After(10 * time.Second)
	for got == "" {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatal("the console stopped before printing a link")
			}
			got = link.FindString(line)
		case <-timeout:
			t.Fatal("no link printed for /hpp web")
		}
	}
	go func() {
		for range lines {
		}
	}()
	token := got[strings.LastIndex(got, "/")+1:]
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 5 * time.Second}
	var res *http.Response
	for i := 0; i < 50; i++ { // the server starts beside the console
		if res, err = c.Get(got); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("opening the link: %v %v", res, err)
	}
	res.Body.Close()
	res, err = c.PostForm(base+"/signin", url.Values{"token": {token}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(body), "<h1>My cases</h1>") || !strings.Contains(string(body), "INC-77") {
		t.Fatalf("after signing in: %d\n%s", res.StatusCode, body)
	}
	res, err = (&http.Client{Timeout: 5 * time.Second}).PostForm(base+"/signin", url.Values{"token": {token}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusGone {
		t.Fatalf("the link a second time: %d, want 410", res.StatusCode)
	}
	inW.Close()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d", code)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the console did not stop")
	}
}
