// Package console is hppbot in a terminal: type /hpp commands, see the
// replies, and see what the bot sends on its own ([DM @sam] ..., [#maternity]
// ...). It lets anyone try every command with nothing set up, and it is the
// harness for end-to-end tests: pipe a script in, read the transcript out.
//
// Console extras: ":as @name" changes who is typing; ":advance <dur>" moves
// the bot's clock forward and runs whatever falls due; ":press <n>" presses a
// button on the latest message to the person typing; ":quit".
package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
)

// Clock is the bot's clock in the console: real time plus whatever :advance
// has added, or a fixed start for tests.
type Clock struct {
	mu     sync.Mutex
	start  time.Time // zero: real time
	offset time.Duration
}

// NewClock returns a clock at real time, or at start if it is not zero.
func NewClock(start time.Time) *Clock { return &Clock{start: start} }

// Now returns the bot's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	base := time.Now()
	if !c.start.IsZero() {
		base = c.start
	}
	return base.Add(c.offset)
}

// Set moves the clock forward to t (never back).
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	base := time.Now()
	if !c.start.IsZero() {
		base = c.start
	}
	if d := t.Sub(base); d > c.offset {
		c.offset = d
	}
}

// Handler answers commands.
type Handler interface {
	Handle(ctx context.Context, req bot.Request) bot.Reply
}

// Config wires a Console.
type Config struct {
	In      io.Reader
	Out     io.Writer
	Handler Handler
	Clock   *Clock
	Policy  *pathway.Policy
	// RunDue runs everything due up to until, in order, moving the clock as
	// it goes (the scheduler). Nil: :advance only moves the clock.
	RunDue func(ctx context.Context, until time.Time) error
	// OnAdvance is told how far the clock moved (to expire keys in the
	// embedded store).
	OnAdvance func(d time.Duration)
	// FilesDir is where attachments are written.
	FilesDir string
	// Interactive shows a prompt and no echo; otherwise each input line is
	// echoed so a piped transcript reads as a conversation.
	Interactive bool
	// Person is who is typing at the start (a name, default "you").
	Person string
}

// Console is the terminal surface. It also implements bot.Messenger.
type Console struct {
	cfg     Config
	mu      sync.Mutex
	person  string                  // person id of whoever is typing
	buttons map[string][]bot.Button // the latest buttons shown to each person
	files   int
	seq     int            // messages sent, numbered for updates (#n)
	latest  map[string]int // each person's latest message's number
}

// New returns a Console.
func New(cfg Config) *Console {
	if cfg.Person == "" {
		cfg.Person = "you"
	}
	if cfg.FilesDir == "" {
		cfg.FilesDir = "hppbot-files"
	}
	if cfg.Clock == nil {
		cfg.Clock = NewClock(time.Time{})
	}
	return &Console{cfg: cfg, person: bot.PersonID(bot.Console, strings.ToLower(cfg.Person)), buttons: map[string][]bot.Button{}, latest: map[string]int{}}
}

// SetHandler sets the handler after construction (the handler needs the
// console as its Messenger).
func (c *Console) SetHandler(h Handler) { c.cfg.Handler = h }

// SetRunDue sets the scheduler's run function after construction.
func (c *Console) SetRunDue(fn func(ctx context.Context, until time.Time) error) { c.cfg.RunDue = fn }

// Run reads lines until :quit or the end of input.
func (c *Console) Run(ctx context.Context) error {
	sc := bufio.NewScanner(c.cfg.In)
	sc.Buffer(make([]byte, 64*1024), 64*1024)
	// The hint is printed for piped input too: a script that goes wrong
	// should still say where help is.
	c.printf("hppbot console — type /hpp help to start, :help for console extras, :quit to leave.\n")
	for {
		if c.cfg.Interactive {
			c.printf("%s › ", c.who(c.person))
		}
		if !sc.Scan() {
			if c.cfg.Interactive {
				c.printf("\n")
			}
			return sc.Err()
		}
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		if !c.cfg.Interactive {
			c.printf("\n%s › %s\n", c.who(c.person), line)
		}
		if quit := c.Line(ctx, line); quit {
			return nil
		}
	}
}

// Line handles one input line; it reports true for :quit.
func (c *Console) Line(ctx context.Context, line string) bool {
	if strings.HasPrefix(line, ":") {
		return c.extra(ctx, line)
	}
	// What fell due while the person was typing is delivered first.
	c.runDue(ctx, c.cfg.Clock.Now())
	text := line
	if !strings.HasPrefix(line, "/") {
		word, _, _ := strings.Cut(strings.ToLower(line), " ")
		if word != "hpp" && !c.isCommand(word) {
			c.printf("Commands start with /hpp — for example /hpp help. Console extras start with a colon: :help.\n")
			return false
		}
	}
	c.command(ctx, c.person, text)
	return false
}

func (c *Console) isCommand(word string) bool {
	if h, ok := c.cfg.Handler.(interface{ HasCommand(string) bool }); ok {
		return h.HasCommand(word)
	}
	return false
}

func (c *Console) command(ctx context.Context, person, text string) {
	reply := c.cfg.Handler.Handle(ctx, bot.Request{
		Surface: bot.Console, Person: person, Name: c.who(person), Text: text, Personal: true,
	})
	// What the command changes after its answer (reminders it settled)
	// is shown before the answer, so the transcript keeps one order.
	if w, ok := c.cfg.Handler.(interface{ Wait() }); ok {
		w.Wait()
	}
	c.show("", person, reply)
}

func (c *Console) extra(ctx context.Context, line string) bool {
	word, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	switch strings.ToLower(word) {
	case ":quit", ":q", ":exit":
		return true
	case ":as":
		name := strings.ToLower(strings.TrimPrefix(arg, "@"))
		if name == "" || strings.ContainsAny(name, " <>#,") {
			c.printf("Say who is typing, for example :as @sam\n")
			return false
		}
		c.mu.Lock()
		c.person = bot.PersonID(bot.Console, name)
		c.mu.Unlock()
		c.printf("You are now @%s.\n", name)
	case ":advance":
		span, err := pathway.ParseSpan(arg)
		if err != nil {
			c.printf("Say how far to move the clock, for example :advance 3d (%v)\n", err)
			return false
		}
		from := c.cfg.Clock.Now()
		var to time.Time
		if c.cfg.Policy != nil {
			to = c.cfg.Policy.Calendar.Add(from, span)
		} else {
			to = from.Add(span.Approx())
		}
		c.runDue(ctx, to)
		c.cfg.Clock.Set(to)
		if c.cfg.OnAdvance != nil {
			c.cfg.OnAdvance(to.Sub(from))
		}
		c.printf("⏩ The clock is now %s.\n", c.stamp(to))
	case ":press":
		n, err := strconv.Atoi(arg)
		c.mu.Lock()
		buttons := c.buttons[c.person]
		c.mu.Unlock()
		if err != nil || n < 1 || n > len(buttons) {
			if len(buttons) == 0 {
				c.printf("There are no buttons on your latest message.\n")
			} else {
				c.printf("Choose a button from 1 to %d, for example :press 1\n", len(buttons))
			}
			return false
		}
		b := buttons[n-1]
		c.printf("(pressed %q)\n", b.Label)
		c.runDue(ctx, c.cfg.Clock.Now())
		c.command(ctx, c.person, b.Command)
	case ":now":
		c.printf("It is %s.\n", c.stamp(c.cfg.Clock.Now()))
	case ":help":
		c.printf("Console extras:\n  :as @name       type as someone else\n  :advance <dur>  move the clock forward (90m, 36h, 3d, 2w, 2wd) and deliver what falls due\n  :press <n>      press button n on your latest message\n  :now            show the bot's time\n  :quit           leave\n")
	default:
		c.printf("I don't know %s. Try :help.\n", word)
	}
	return false
}

func (c *Console) runDue(ctx context.Context, until time.Time) {
	if c.cfg.RunDue == nil {
		return
	}
	if err := c.cfg.RunDue(ctx, until); err != nil {
		// Never the error's text: it can carry internals.
		why := ""
		if pathway.ErrorCode(err) == pathway.Unavailable {
			why = " I couldn't reach my records."
		}
		c.printf("(reminders could not run just now.%s They are kept, and run on the next :advance.)\n", why)
	}
}

func (c *Console) stamp(t time.Time) string {
	if c.cfg.Policy != nil {
		return pathway.FormatTime(t, c.cfg.Policy.Location())
	}
	return t.Format("Mon 2 Jan 2006, 15:04")
}

// SendDirect implements bot.Messenger: it prints a private message.
func (c *Console) SendDirect(ctx context.Context, person string, r bot.Reply) error {
	if s, _ := bot.SplitID(person); s != bot.Console {
		return bot.ErrNoRoute
	}
	n := c.show("[DM "+c.who(person)+"] ", person, r)
	bot.ReportSent(ctx, bot.MessageRef{To: person, ID: strconv.Itoa(n)})
	return nil
}

// PostChannel implements bot.Messenger: it prints a channel post.
func (c *Console) PostChannel(ctx context.Context, channel string, r bot.Reply) error {
	if s, _ := bot.SplitID(channel); s != bot.Console {
		return bot.ErrNoRoute
	}
	n := c.show("[#"+rawID(channel)+"] ", "", r)
	bot.ReportSent(ctx, bot.MessageRef{To: channel, Channel: true, ID: strconv.Itoa(n)})
	return nil
}

// UpdateMessage implements bot.Updater: it prints the message's new words
// as "[update DM @sam #3] ...", #3 being the message's number in the
// session. When it was the person's latest message its buttons are the
// new reply's.
func (c *Console) UpdateMessage(ctx context.Context, ref bot.MessageRef, r bot.Reply) error {
	s, _ := bot.SplitID(ref.To)
	n, err := strconv.Atoi(ref.ID)
	if s != bot.Console || err != nil || n < 1 {
		return bot.ErrNoRoute
	}
	where := "DM " + c.who(ref.To)
	if ref.Channel {
		where = "#" + rawID(ref.To)
	}
	c.update(fmt.Sprintf("[update %s #%d] ", where, n), ref.To, n, r)
	return nil
}

func rawID(id string) string {
	_, raw := bot.SplitID(id)
	return raw
}

func (c *Console) who(person string) string { return "@" + rawID(person) }

// update prints a message's new words; its buttons are the person's
// latest only if message n was their latest.
func (c *Console) update(prefix, to string, n int, r bot.Reply) {
	text := indent(prefix, Render(r))
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.latest[to] == n {
		c.buttons[to] = r.AllButtons()
	}
	fmt.Fprintln(c.cfg.Out, text)
}

func indent(prefix, text string) string {
	lines := strings.Split(text, "\n")
	for i := 1; i < len(lines); i++ {
		if lines[i] != "" {
			lines[i] = "  " + lines[i]
		}
	}
	return prefix + strings.Join(lines, "\n")
}

// show prints a reply, numbered for later updates; its buttons become the
// person's latest.
func (c *Console) show(prefix, person string, r bot.Reply) int {
	text := Render(r)
	var saved []string
	for _, f := range r.Files {
		path, err := c.save(f)
		if err != nil {
			saved = append(saved, fmt.Sprintf("Could not save %s in the folder %s. Check that the folder can be written to, or choose another with HPP_FILES_DIR.", f.Title, c.cfg.FilesDir))
			continue
		}
		saved = append(saved, "Saved "+f.Title+": "+path)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	if person != "" {
		// A message with no buttons is the latest too: :press then says
		// there is nothing to press, rather than pressing an older one.
		c.buttons[person] = r.AllButtons()
		c.latest[person] = c.seq
	}
	if prefix != "" {
		text = indent(prefix, text)
	}
	fmt.Fprintln(c.cfg.Out, text)
	for _, s := range saved {
		fmt.Fprintln(c.cfg.Out, "  "+s)
	}
	return c.seq
}

func (c *Console) save(f bot.File) (string, error) {
	if err := os.MkdirAll(c.cfg.FilesDir, 0o750); err != nil {
		return "", err
	}
	name := filepath.Base(f.Name)
	path := filepath.Join(c.cfg.FilesDir, name)
	if err := os.WriteFile(path, f.Data, 0o640); err != nil {
		return "", err
	}
	return path, nil
}

func (c *Console) printf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintf(c.cfg.Out, format, args...)
}

// Render turns a reply into terminal text: *bold* markers dropped, ~struck
// out~ text as ~~struck out~~, mentions as @name and #channel, buttons as
// numbered choices.
func Render(r bot.Reply) string {
	var b strings.Builder
	b.WriteString(r.Text)
	for _, s := range r.Sections {
		b.WriteString("\n")
		if s.Title != "" {
			b.WriteString("\n" + s.Title + "\n")
		}
		if s.Text != "" {
			if s.Title == "" {
				b.WriteString("\n")
			}
			b.WriteString(s.Text)
		}
		for _, f := range s.Fields {
			b.WriteString("\n" + f.Label + ": " + f.Value)
		}
	}
	if r.Note != "" {
		b.WriteString("\n\n" + r.Note)
	}
	if buttons := r.AllButtons(); len(buttons) > 0 {
		b.WriteString("\n")
		for i, btn := range buttons {
			if i > 0 {
				b.WriteString("  ")
			}
			fmt.Fprintf(&b, "[%d] %s", i+1, btn.Label)
		}
	}
	out := bot.ReplaceMentions(strings.TrimSpace(b.String()), func(kind byte, id string) string {
		return string(kind) + rawID(id)
	})
	return bot.MarkStruck(stripBold(out), "~~", "~~")
}

// boldPattern matches *bold* text on one line.
var boldPattern = regexp.MustCompile(`\*([^*\n]+)\*`)

// stripBold removes *bold* markers.
func stripBold(s string) string { return boldPattern.ReplaceAllString(s, "$1") }
