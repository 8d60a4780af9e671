// Package teams is hppbot in Microsoft Teams, on the Bot Framework through
// github.com/infracloudio/msbotbuilder-go: POST /api/messages takes
// activities, commands arrive as messages (with or without "hpp", the
// @mention of the bot stripped), replies go back as Adaptive Cards, and the
// Surface implements bot.Messenger for what hppbot sends on its own.
//
// Every activity is authenticated before anything else happens (Validator);
// anything else gets 401 and changes nothing. Conversation references are
// kept in Redis, so reminders and check-ins reach people after any restart.
//
// It never logs message text, note text or tokens: only activity types,
// command outcomes and ids.
package teams

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"html"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/infracloudio/msbotbuilder-go/connector/auth"
	"github.com/infracloudio/msbotbuilder-go/core"
	"github.com/infracloudio/msbotbuilder-go/core/activity"
	"github.com/infracloudio/msbotbuilder-go/schema"

	"hppbot/bot"
	"hppbot/store"
)

// DefaultOpenIDURL is the Bot Framework's OpenID metadata
// (BOTFRAMEWORK_OPENID_METADATA's default).
const DefaultOpenIDURL = "https://login.botframework.com/v1/.well-known/openidconfiguration"

const (
	// maxActivity bounds a request body; Teams activities are a few KB.
	maxActivity = 256 << 10
	// turnTimeout bounds the work for one activity, whatever the caller does.
	turnTimeout = 25 * time.Second
	// pendingFileTTL is how long an offered file waits to be accepted.
	pendingFileTTL = 24 * time.Hour
	// maxFile is the largest file offered through Teams.
	maxFile = 4 << 20
)

// Handler answers commands (the handlers package).
type Handler interface {
	Handle(ctx context.Context, req bot.Request) bot.Reply
}

// webOn is what a Handler may also say: whether the web pages are on
// (handlers.Handler does), for the welcome's button to them.
type webOn interface{ WebOn() bool }

// Config wires a Surface.
type Config struct {
	AppID       string // MICROSOFT_APP_ID
	AppPassword string // MICROSOFT_APP_PASSWORD
	// Tenant is MICROSOFT_APP_TENANT_ID, for a single-tenant app: tokens
	// then come from the tenant's own endpoint (unless TokenURL was set to
	// something other than the default), and the tenant's issuers are
	// accepted besides the Bot Framework's.
	Tenant    string
	OpenIDURL string // BOTFRAMEWORK_OPENID_METADATA; default DefaultOpenIDURL
	TokenURL  string // BOTFRAMEWORK_TOKEN_URL; default DefaultTokenURL
	Store     *store.Store
	Handler   Handler
	Log       *slog.Logger
	// HTTPClient makes the outbound calls (keys, tokens, connector, file
	// uploads); default one with a 10-second timeout.
	HTTPClient *http.Client
}

// Surface is hppbot in Teams: an http.Handler for /api/messages and a
// bot.Messenger.
type Surface struct {
	cfg       Config
	validator *Validator
	conn      *Connector
	settings  core.AdapterSetting
	names     *store.Names
	log       *slog.Logger

	mu    sync.Mutex
	saved map[string]store.ConversationRef // what this process last stored per id
	aad   map[string]string                // Teams user id (29:...) -> Entra object id
}

// New returns a Surface.
func New(cfg Config) (*Surface, error) {
	if cfg.AppID == "" || cfg.AppPassword == "" {
		return nil, errors.New("teams: needs MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD")
	}
	if cfg.Store == nil || cfg.Handler == nil {
		return nil, errors.New("teams: needs a store and a handler")
	}
	if cfg.OpenIDURL == "" {
		cfg.OpenIDURL = DefaultOpenIDURL
	}
	if cfg.TokenURL == "" {
		cfg.TokenURL = DefaultTokenURL
	}
	if cfg.Tenant != "" && cfg.TokenURL == DefaultTokenURL {
		// A single-tenant app gets its tokens from its own tenant.
		cfg.TokenURL = TenantTokenURL(cfg.Tenant)
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	s := &Surface{
		cfg:       cfg,
		validator: NewValidator(cfg.AppID, cfg.Tenant, cfg.OpenIDURL, hc, cfg.Log),
		conn:      NewConnector(cfg.AppID, cfg.AppPassword, cfg.TokenURL, hc, cfg.Log),
		names:     cfg.Store.Names(),
		log:       cfg.Log,
		saved:     map[string]store.ConversationRef{},
		aad:       map[string]string{},
	}
	s.settings = core.AdapterSetting{
		AppID: cfg.AppID, AppPassword: cfg.AppPassword, ChannelAuthTenant: cfg.Tenant,
		OpenIDMetadata: cfg.OpenIDURL, ChannelService: auth.ChannelService,
		CredentialProvider: auth.SimpleCredentialProvider{AppID: cfg.AppID, Password: cfg.AppPassword},
	}
	return s, nil
}

// Warm fetches the signing keys and a token ahead of the first message. A
// failure is logged; the first message tries again.
func (s *Surface) Warm(ctx context.Context) {
	if err := s.validator.Refresh(ctx); err != nil {
		s.log.Warn("Teams: could not fetch the Bot Framework signing keys yet", "err", err)
	}
	if _, err := s.conn.Token(ctx); err != nil {
		s.log.Warn("Teams: could not get a Bot Framework token yet; check MICROSOFT_APP_ID, MICROSOFT_APP_PASSWORD and BOTFRAMEWORK_TOKEN_URL", "err", err)
	}
}

// adapter is the library's adapter with hppbot's validator and connector,
// its calls bound to ctx.
func (s *Surface) adapter(ctx context.Context) *core.BotFrameworkAdapter {
	return &core.BotFrameworkAdapter{AdapterSetting: s.settings, TokenValidator: s.validator, Client: s.conn.Bind(ctx)}
}

// ServeHTTP takes one activity: POST /api/messages.
func (s *Surface) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxActivity))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "activity too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "could not read the activity", http.StatusBadRequest)
		return
	}
	parse := r.Clone(r.Context())
	parse.Body = io.NopCloser(bytes.NewReader(body))
	act, err := s.adapter(r.Context()).ParseRequest(r.Context(), parse)
	if err != nil {
		s.log.Warn("Teams activity refused: not authenticated", "reason", err)
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	var ex extras
	_ = json.Unmarshal(body, &ex) // it decoded once already; what's missing stays empty
	// The command runs to the end even if the caller hangs up.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), turnTimeout)
	defer cancel()
	s.dispatch(ctx, act, ex)
	w.WriteHeader(http.StatusOK)
}

func (s *Surface) dispatch(ctx context.Context, act schema.Activity, ex extras) {
	switch act.Type {
	case schema.Message:
		s.onMessage(ctx, act, ex)
	case schema.ConversationUpdate:
		s.onConversationUpdate(ctx, act, ex)
	case schema.InstallationUpdate:
		s.onInstallationUpdate(ctx, act, ex)
	case schema.Invoke:
		if act.Name == "fileConsent/invoke" {
			s.onFileConsent(ctx, act)
		}
	default:
		s.log.Debug("Teams activity ignored", "type", string(act.Type))
	}
}

// firstTime reports whether this activity is new: the Bot Framework
// redelivers when a bot is slow, and a command must run once.
func (s *Surface) firstTime(ctx context.Context, act schema.Activity) bool {
	if act.ID == "" {
		return true
	}
	first, err := s.cfg.Store.MarkOnce(ctx, "teams:activity:"+act.Conversation.ID+":"+act.ID, time.Hour)
	if err != nil {
		return true // the command itself will say if the store is down
	}
	return first
}

func (s *Surface) onMessage(ctx context.Context, act schema.Activity, ex extras) {
	s.remember(ctx, act, ex)
	if !s.firstTime(ctx, act) {
		s.log.Debug("Teams activity delivered twice; ignored", "id", act.ID)
		return
	}
	if isPersonal(act) {
		// What was held for them comes first, before the answer to this.
		s.deliverHeld(ctx, personID(act.From), replyRef(act))
	}
	var line string
	if len(act.Value) > 0 {
		sub, ok := parseSubmission(act.Value)
		if !ok {
			return // not a card of ours
		}
		line = sub.line
		if sub.form != nil {
			ans := answers(sub.form, sub.values)
			l, fieldErrs := sub.form.CommandLine(ans)
			if len(fieldErrs) > 0 {
				// The form again, with the person's answers: theirs alone.
				viewer := personID(act.From)
				people := formPeople{viewer: viewer, names: s.names.Lookup(ctx, append(slices.Concat(slices.Collect(maps.Values(ans))...), viewer))}
				card := []schema.Activity{cardActivity(formCard(sub.form, ans, fieldErrs, people), sub.form.Title)}
				if !isPersonal(act) {
					s.answerPrivately(ctx, act, personID(act.From), card)
					return
				}
				if err := s.send(ctx, replyRef(act), card); err != nil {
					s.log.Warn("Teams: could not show a form again", "err", err)
				}
				return
			}
			line = l
		}
	} else {
		line = s.commandText(ctx, act, ex)
	}
	personal := isPersonal(act)
	req := bot.Request{
		Surface: bot.Teams, Person: personID(act.From), Name: act.From.Name,
		Text: line, Personal: personal,
	}
	if !personal {
		req.Channel = bot.PersonID(bot.Teams, channelID(act, ex))
	}
	reply := s.cfg.Handler.Handle(ctx, req)
	s.deliverReply(ctx, act, req, line, reply)
}

// deliverReply answers a command. Teams has no messages only one person in
// a channel can see, so a private answer to a command typed in a channel or
// group chat goes only to the person's own chat with hppbot (started when
// needed), and the thread gets a pointer (bot.Private, bot.DeliverPrivately).
func (s *Surface) deliverReply(ctx context.Context, act schema.Activity, req bot.Request, line string, reply bot.Reply) {
	if !bot.Private(req, reply) {
		o := renderOpts{line: line, personal: req.Personal}
		if req.Personal {
			o.viewer = req.Person
		}
		if err := s.send(ctx, replyRef(act), s.render(ctx, reply, o)); err != nil {
			s.log.Warn("Teams: reply not delivered", "err", err)
		}
		return
	}
	s.answerPrivately(ctx, act, req.Person, s.render(ctx, reply, renderOpts{line: line, personal: true, viewer: req.Person}))
}

// answerPrivately sends activities meant for one person, typed where others
// can see, to that person alone: into their own chat with hppbot, else held
// for them until they next open it. The conversation the command came from
// gets only a pointer, never the activities.
func (s *Surface) answerPrivately(ctx context.Context, act schema.Activity, person string, acts []schema.Activity) {
	opened := false
	direct := func(ctx context.Context) error {
		var err error
		opened, err = s.sendDirectActivities(ctx, person, acts)
		return err
	}
	hold := func(ctx context.Context) error { return s.hold(ctx, person, acts) }
	outcome, err := bot.DeliverPrivately(ctx, []func(context.Context) error{direct}, hold)
	if outcome != bot.Delivered {
		s.log.Info("Teams: a private reply could not reach its person privately", "to", person, "outcome", outcomeName(outcome), "err", err)
	}
	ref := replyRef(act)
	if err := s.send(ctx, ref, s.render(ctx, pointer(person, outcome, opened), renderOpts{})); err != nil {
		s.log.Warn("Teams: pointer to a private reply not delivered", "err", err)
	}
}

// pointer is all a shared conversation is told about a private reply:
// whom it is for and where to find it, never what it says.
func pointer(person string, outcome bot.Delivery, opened bool) bot.Reply {
	who := bot.Mention(person) + ", "
	switch {
	case outcome == bot.Delivered:
		return bot.Reply{Text: who + pointerSent}
	case outcome == bot.Held && opened:
		return bot.Reply{Text: who + pointerHeld}
	case outcome == bot.Held:
		return bot.Reply{Text: who + pointerHeldNew}
	case opened:
		return bot.Reply{Text: who + pointerLost}
	default:
		return bot.Reply{Text: who + pointerLostNew}
	}
}

// The pointers' words. heldFor is bot.HeldFor in words (a test holds the
// two together).
const (
	pointerSent    = "I've answered you in your private chat with hppbot."
	heldFor        = "24 hours"
	addPersonalApp = "select *Apps* in Teams, search for *hppbot* and select *Add* (or *Open*)"
	pointerHeld    = "I've sent you something private — open your chat with hppbot and send any message (such as *hi*) to see it. It'll wait there for " + heldFor + "."
	pointerHeldNew = "I've sent you something private, and you haven't got a chat with hppbot yet. To open one, " + addPersonalApp +
		". It'll wait there for " + heldFor + "."
	pointerLost    = "my answer is private and I couldn't send it to you just now. Please open your chat with hppbot and type your command there."
	pointerLostNew = "my answer is private and I couldn't send it to you just now. To open a chat with hppbot, " + addPersonalApp + "; then type your command there."
)

func outcomeName(d bot.Delivery) string {
	switch d {
	case bot.Delivered:
		return "delivered"
	case bot.Held:
		return "held"
	}
	return "undelivered"
}

// hold keeps rendered activities for a person until they next open their
// chat with hppbot (deliverHeld), for bot.HeldFor.
func (s *Surface) hold(ctx context.Context, person string, acts []schema.Activity) error {
	data, err := json.Marshal(acts)
	if err != nil {
		return err
	}
	return s.cfg.Store.HoldReply(ctx, person, data, bot.HeldFor)
}

// deliverHeld sends what was held for a person into their chat with
// hppbot, which ref is; what can't be sent now is held again.
func (s *Surface) deliverHeld(ctx context.Context, person string, ref schema.ConversationReference) {
	held, err := s.cfg.Store.TakeHeldReplies(ctx, person)
	if err != nil {
		s.log.Warn("Teams: could not read the private replies held for someone", "to", person, "err", err)
		return
	}
	for i, data := range held {
		var acts []schema.Activity
		if err := json.Unmarshal(data, &acts); err != nil {
			s.log.Warn("Teams: a held private reply could not be read; dropped", "to", person)
			continue
		}
		if err := s.send(ctx, ref, acts); err != nil {
			s.log.Warn("Teams: held private replies not delivered yet", "to", person, "err", err)
			for _, rest := range held[i:] {
				if err := s.cfg.Store.HoldReply(ctx, person, rest, bot.HeldFor); err != nil {
					s.log.Warn("Teams: a held private reply was lost", "to", person, "err", err)
				}
			}
			return
		}
	}
}

func (s *Surface) onConversationUpdate(ctx context.Context, act schema.Activity, ex extras) {
	s.remember(ctx, act, ex)
	botAdded := false
	for _, m := range act.MembersAdded {
		if m.ID == act.Recipient.ID {
			botAdded = true
			continue
		}
		if isBot(m.ID) || isPersonal(act) {
			continue
		}
		// Someone joined a team hppbot is in: hppbot can start a private
		// chat with them later.
		s.saveUserRef(ctx, personID(m), s.refBase(act, ex, m.ID))
	}
	for _, m := range act.MembersRemoved {
		if m.ID == act.Recipient.ID {
			s.forget(ctx, act, ex)
			return
		}
	}
	if botAdded && s.firstTime(ctx, act) {
		welcome := bot.Reply{Text: welcomePersonal, Buttons: []bot.Button{{Label: "Help", Command: "help"}, {Label: "Open a case", Command: "open", Style: "primary"}}}
		if w, ok := s.cfg.Handler.(webOn); ok && w.WebOn() {
			// The web pages are on: one tap sends a private link to them.
			welcome.Buttons = append(welcome.Buttons, bot.Button{Label: "My cases in the browser", Command: "web"})
		}
		if !isPersonal(act) {
			welcome = bot.Reply{Text: welcomeTeam, Public: true}
		}
		ref := replyRef(act)
		ref.ActivityID = ""
		if err := s.send(ctx, ref, s.render(ctx, welcome, renderOpts{personal: isPersonal(act)})); err != nil {
			s.log.Warn("Teams: welcome not delivered", "err", err)
		}
		if isPersonal(act) {
			s.deliverHeld(ctx, personID(act.From), ref)
		}
	}
}

const welcomePersonal = "Hello — I'm hppbot. I help you keep in touch with a family after a patient has been harmed by care: I remind you when contact or a Duty of Candour step is due, offer words for difficult conversations, and look after the staff involved.\n" +
	"Type *help* to see what I can do, or *open* to open a harm case. Please never type a patient's name, NHS number, date of birth or address here — the incident reference is enough."

const welcomeTeam = "Hello, everyone — I'm hppbot. Mention me with a command, for example *@hppbot help*. Reminders and check-ins go to each person privately; this channel only hears about overdue items, by case id."

func (s *Surface) onInstallationUpdate(ctx context.Context, act schema.Activity, ex extras) {
	switch {
	case strings.HasPrefix(act.Action, "add"):
		s.remember(ctx, act, ex)
		if isPersonal(act) && act.From.ID != "" && !isBot(act.From.ID) {
			s.deliverHeld(ctx, personID(act.From), replyRef(act))
		}
	case strings.HasPrefix(act.Action, "remove"):
		s.forget(ctx, act, ex)
	}
}

// forget drops the references hppbot can no longer use once removed.
func (s *Surface) forget(ctx context.Context, act schema.Activity, ex extras) {
	id := bot.PersonID(bot.Teams, channelID(act, ex))
	if isPersonal(act) {
		id = personID(act.From)
	}
	s.mu.Lock()
	delete(s.saved, id)
	s.mu.Unlock()
	if err := s.cfg.Store.DeleteConversationRef(ctx, id); err != nil {
		s.log.Warn("Teams: could not forget a conversation", "id", id, "err", err)
	}
}

// SendDirect implements bot.Messenger: a private message in the person's
// own chat with hppbot. With no way to reach them it returns a
// *bot.Undeliverable (which is also a bot.ErrNotReachable).
func (s *Surface) SendDirect(ctx context.Context, person string, r bot.Reply) error {
	if surface, _ := bot.SplitID(person); surface != bot.Teams {
		return bot.ErrNoRoute
	}
	return s.sendDirect(ctx, person, r, "")
}

// PostChannel implements bot.Messenger: a new post in a Teams channel (or
// group chat) hppbot has been added to.
func (s *Surface) PostChannel(ctx context.Context, channel string, r bot.Reply) error {
	if surface, _ := bot.SplitID(channel); surface != bot.Teams {
		return bot.ErrNoRoute
	}
	ref, ok, err := s.cfg.Store.ConversationRef(ctx, channel)
	if err != nil {
		return err
	}
	if !ok || ref.Conversation == "" {
		return finalFor("no_conversation", false)
	}
	return undeliverable(s.send(ctx, conversationRef(ref), s.render(ctx, r, renderOpts{})), false)
}

func (s *Surface) sendDirect(ctx context.Context, person string, r bot.Reply, line string) error {
	_, err := s.sendDirectActivities(ctx, person, s.render(ctx, r, renderOpts{line: line, personal: true, viewer: person}))
	return err
}

// sendDirectActivities posts activities into the person's own chat with
// hppbot; opened says whether they had one before this.
func (s *Surface) sendDirectActivities(ctx context.Context, person string, acts []schema.Activity) (opened bool, err error) {
	ref, opened, err := s.personalRef(ctx, person)
	if err != nil {
		return opened, err
	}
	// Teams refuses posts to someone who removed hppbot or blocked it, or
	// whose admin turned it off (403), and to a chat that is gone (404):
	// final until someone acts.
	return opened, undeliverable(s.send(ctx, conversationRef(ref), acts), true)
}

// personalRef finds the person's chat with hppbot, starting one when
// hppbot knows them only from a channel; opened says whether the chat was
// there already.
func (s *Surface) personalRef(ctx context.Context, person string) (ref store.ConversationRef, opened bool, err error) {
	ref, ok, err := s.cfg.Store.ConversationRef(ctx, person)
	if err != nil {
		return ref, false, err
	}
	if !ok || ref.ServiceURL == "" || (ref.Conversation == "" && ref.User == "") {
		return ref, false, finalFor("no_conversation", true)
	}
	if ref.Conversation != "" {
		return ref, true, nil
	}
	botID := ref.Bot
	if botID == "" {
		botID = "28:" + s.cfg.AppID
	}
	id, err := s.conn.CreateConversation(ctx, ref.ServiceURL, botID, ref.User, ref.Tenant)
	if err != nil {
		var ce *ConnectorError
		if errors.As(err, &ce) && (ce.Status == http.StatusForbidden || ce.Status == http.StatusNotFound || ce.Status == http.StatusBadRequest) {
			// Usually: hppbot isn't installed for them.
			code := ce.Code
			if code == "" {
				code = "no_conversation"
			}
			return ref, false, finalFor(code, true)
		}
		return ref, false, err
	}
	ref.Conversation, ref.Type, ref.Bot = id, "personal", botID
	s.saveRef(ctx, person, ref)
	return ref, false, nil
}

// send posts activities, in order, into a conversation through the
// library's adapter (with hppbot's connector under it).
func (s *Surface) send(ctx context.Context, ref schema.ConversationReference, acts []schema.Activity) error {
	ad := s.adapter(ctx)
	for _, a := range acts {
		out := a
		err := ad.ProactiveMessage(ctx, ref, activity.HandlerFuncs{
			OnMessageFunc: func(turn *activity.TurnContext) (schema.Activity, error) {
				return turn.SendActivity(func(x *schema.Activity) error {
					*x = out
					x.Type = schema.Message
					return nil
				})
			},
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// render fills in the names a reply's mentions need, keeps offered files
// until they are accepted, and renders the reply.
func (s *Surface) render(ctx context.Context, r bot.Reply, o renderOpts) []schema.Activity {
	people, channels := r.Mentions()
	if o.viewer != "" {
		people = append(people, o.viewer) // a form's people picker offers them
	}
	o.names = s.names.Lookup(ctx, people)
	o.channels = map[string]string{}
	for _, ch := range channels {
		if surface, _ := bot.SplitID(ch); surface != bot.Teams {
			continue
		}
		if ref, ok, err := s.cfg.Store.ConversationRef(ctx, ch); err == nil && ok {
			o.channels[ch] = ref.Name
		}
	}
	if o.personal {
		o.pending = map[int]string{}
		for i, f := range r.Files {
			if isInlineImage(f.Type) || len(f.Data) > maxFile {
				continue
			}
			id := randomID()
			if err := s.cfg.Store.SavePendingFile(ctx, id, f.Data, pendingFileTTL); err != nil {
				s.log.Warn("Teams: could not keep a file to offer", "err", err)
				continue
			}
			o.pending[i] = id
		}
	}
	return renderReply(r, o)
}

func randomID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// remember keeps the conversation references and names an activity shows.
func (s *Surface) remember(ctx context.Context, act schema.Activity, ex extras) {
	from := act.From
	if from.ID == "" || isBot(from.ID) || act.ServiceURL == "" {
		return
	}
	person := personID(from)
	if from.Name != "" {
		s.names.Remember(ctx, person, from.Name)
	}
	if from.AadObjectID != "" {
		s.learnAAD(from.ID, from.AadObjectID)
	}
	base := s.refBase(act, ex, from.ID)
	if isPersonal(act) {
		ref := base
		ref.Conversation, ref.Type = act.Conversation.ID, "personal"
		s.saveRef(ctx, person, ref)
		return
	}
	ch := channelID(act, ex)
	chRef := base
	chRef.User = ""
	chRef.Conversation = ch
	chRef.Type = act.Conversation.ConversationType
	if ex.ChannelData.Team != nil {
		chRef.Team = ex.ChannelData.Team.ID
	}
	if ex.ChannelData.Channel != nil && ex.ChannelData.Channel.Name != "" {
		chRef.Name = ex.ChannelData.Channel.Name
	} else if act.Conversation.Name != "" {
		chRef.Name = act.Conversation.Name
	}
	if ch != "" {
		s.saveRef(ctx, bot.PersonID(bot.Teams, ch), chRef)
	}
	s.saveUserRef(ctx, person, base)
}

// refBase is what every reference from this activity shares.
func (s *Surface) refBase(act schema.Activity, ex extras, user string) store.ConversationRef {
	tenant := act.Conversation.TenantID
	if tenant == "" && ex.ChannelData.Tenant != nil {
		tenant = ex.ChannelData.Tenant.ID
	}
	return store.ConversationRef{ServiceURL: act.ServiceURL, Tenant: tenant, Bot: act.Recipient.ID, User: user, Channel: act.ChannelID}
}

// saveRef stores a reference unless this process stored the same one.
func (s *Surface) saveRef(ctx context.Context, id string, ref store.ConversationRef) {
	s.mu.Lock()
	same := s.saved[id] == ref
	s.mu.Unlock()
	if same {
		return
	}
	if err := s.cfg.Store.SaveConversationRef(ctx, id, ref); err != nil {
		s.log.Warn("Teams: could not keep a conversation reference; reminders to it may wait", "id", id, "err", err)
		return
	}
	s.mu.Lock()
	if len(s.saved) > 20000 {
		s.saved = map[string]store.ConversationRef{}
	}
	s.saved[id] = ref
	s.mu.Unlock()
}

// saveUserRef keeps how to start a chat with someone seen in a channel,
// unless hppbot already has a chat with them.
func (s *Surface) saveUserRef(ctx context.Context, person string, ref store.ConversationRef) {
	if ref.User == "" {
		return
	}
	s.mu.Lock()
	have := s.saved[person]
	s.mu.Unlock()
	if have.Conversation != "" {
		return
	}
	old, ok, err := s.cfg.Store.ConversationRef(ctx, person)
	if err != nil {
		return
	}
	if ok && old.Conversation != "" {
		s.mu.Lock()
		s.saved[person] = old
		s.mu.Unlock()
		return
	}
	ref.Conversation, ref.Type, ref.Team, ref.Name = "", "", "", ""
	s.saveRef(ctx, person, ref)
}

func (s *Surface) learnAAD(user, aad string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.aad) > 20000 {
		s.aad = map[string]string{}
	}
	s.aad[user] = aad
}

// commandText is the command a message carries: the bot's @mention
// stripped, other people's mentions turned into <@teams:id> (the grammar's
// mentions), channel mentions into <#teams:id>, Teams' markup removed.
func (s *Surface) commandText(ctx context.Context, act schema.Activity, ex extras) string {
	return commandText(act, ex, s.cfg.AppID, func(m mentioned) string { return s.personFor(ctx, act, ex, m) })
}

// personFor is the person id of someone mentioned: by their Entra object
// id, as people are everywhere else in hppbot. A mention carries only the
// Teams user id, so hppbot asks the connector for the object id (and
// remembers it).
func (s *Surface) personFor(ctx context.Context, act schema.Activity, ex extras, m mentioned) string {
	aad := m.AADObjectID
	if aad == "" {
		s.mu.Lock()
		aad = s.aad[m.ID]
		s.mu.Unlock()
	}
	if aad == "" && strings.HasPrefix(m.ID, "29:") {
		lookup, cancel := context.WithTimeout(ctx, 5*time.Second)
		where := act.Conversation.ID
		if ex.ChannelData.Team != nil && ex.ChannelData.Team.ID != "" {
			where = ex.ChannelData.Team.ID
		} else if !isPersonal(act) {
			where = channelID(act, ex)
		}
		mem, err := s.conn.Member(lookup, act.ServiceURL, where, m.ID)
		cancel()
		if err != nil {
			s.log.Warn("Teams: could not look up someone mentioned; using their Teams id", "err", err)
		} else {
			aad = mem.AADObjectID
		}
	}
	id := bot.PersonID(bot.Teams, m.ID)
	if aad != "" {
		s.learnAAD(m.ID, aad)
		id = bot.PersonID(bot.Teams, aad)
	}
	if m.Name != "" {
		s.names.Remember(ctx, id, m.Name)
	}
	s.saveUserRef(ctx, id, s.refBase(act, ex, m.ID))
	return id
}

// extras are the parts of an activity the library's schema drops (mention
// entities) or types loosely (Teams' channel data).
type extras struct {
	Entities    []entity  `json:"entities"`
	ChannelData teamsData `json:"channelData"`
}

type entity struct {
	Type      string    `json:"type"`
	Text      string    `json:"text"`
	Mentioned mentioned `json:"mentioned"`
}

type mentioned struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	AADObjectID string `json:"aadObjectId"`
}

type teamsData struct {
	Tenant    *idName `json:"tenant,omitempty"`
	Team      *idName `json:"team,omitempty"`
	Channel   *idName `json:"channel,omitempty"`
	EventType string  `json:"eventType,omitempty"`
}

type idName struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// personID names a Teams person: by Entra object id when Teams gives it
// (the same in every team and chat, and what the people picker returns),
// else by their Teams user id.
func personID(a schema.ChannelAccount) string {
	if a.AadObjectID != "" {
		return bot.PersonID(bot.Teams, a.AadObjectID)
	}
	return bot.PersonID(bot.Teams, a.ID)
}

func isPersonal(act schema.Activity) bool {
	t := act.Conversation.ConversationType
	return t == "personal" || (t == "" && !act.Conversation.IsGroup)
}

// isBot reports whether an account is a bot's (28:...).
func isBot(id string) bool { return strings.HasPrefix(id, "28:") }

// channelID is where a message was typed: the channel (not the thread)
// for channel messages, the chat itself otherwise.
func channelID(act schema.Activity, ex extras) string {
	if ex.ChannelData.Channel != nil && ex.ChannelData.Channel.ID != "" && act.Conversation.ConversationType == "channel" {
		return ex.ChannelData.Channel.ID
	}
	id, _, _ := strings.Cut(act.Conversation.ID, ";messageid=")
	return id
}

// replyRef answers in the conversation an activity came from: in the same
// thread of a channel, in the chat itself otherwise.
func replyRef(act schema.Activity) schema.ConversationReference {
	ref := activity.GetCoversationReference(act)
	if isPersonal(act) {
		ref.ActivityID = ""
	}
	return ref
}

// conversationRef turns a stored reference into the library's.
func conversationRef(r store.ConversationRef) schema.ConversationReference {
	channel := r.Channel
	if channel == "" {
		channel = "msteams"
	}
	return schema.ConversationReference{
		Bot:          schema.ChannelAccount{ID: r.Bot},
		User:         schema.ChannelAccount{ID: r.User},
		Conversation: schema.ConversationAccount{ID: r.Conversation, TenantID: r.Tenant, ConversationType: r.Type},
		ChannelID:    channel,
		ServiceURL:   r.ServiceURL,
	}
}

// htmlTag matches the markup Teams may wrap text in.
var htmlTag = regexp.MustCompile(`(?i)</?(?:at|p|div|span|b|strong|i|em|u|s|br|font)\b[^>]*>`)

// commandText is commandText without I/O: resolve names a mentioned person.
func commandText(act schema.Activity, ex extras, appID string, resolve func(mentioned) string) string {
	text := strings.ReplaceAll(act.Text, "\x00", "")
	var tokens []string
	for _, e := range ex.Entities {
		if !strings.EqualFold(e.Type, "mention") || e.Text == "" || !strings.Contains(text, e.Text) {
			continue
		}
		id := e.Mentioned.ID
		var token string
		switch {
		case id == act.Recipient.ID || id == "28:"+appID || isBot(id):
			token = "" // the bot itself, or another bot
		case strings.HasPrefix(id, "19:"):
			chID, _, _ := strings.Cut(id, ";messageid=")
			token = bot.Channel(bot.PersonID(bot.Teams, chID))
		case id != "" && len(id) <= 200:
			token = bot.Mention(resolve(e.Mentioned))
		default:
			token = cleanName(e.Mentioned.Name)
		}
		text = strings.Replace(text, e.Text, "\x00"+strconv.Itoa(len(tokens))+"\x00", 1)
		tokens = append(tokens, token)
	}
	text = htmlTag.ReplaceAllStringFunc(text, func(tag string) string {
		t := strings.ToLower(tag)
		if strings.HasPrefix(t, "<br") || strings.HasPrefix(t, "</p") || strings.HasPrefix(t, "</div") {
			return "\n"
		}
		return ""
	})
	text = inert(html.UnescapeString(text))
	text = strings.ReplaceAll(text, "\u00a0", " ")
	for i, t := range tokens {
		text = strings.Replace(text, "\x00"+strconv.Itoa(i)+"\x00", t, 1)
	}
	text = strings.ReplaceAll(text, "\x00", "")
	return strings.TrimSpace(text)
}
