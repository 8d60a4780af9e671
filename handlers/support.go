package handlers

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/store"
)

// talkStore remembers, for a while, that a person asked to talk and whom
// that went to, so a second press doesn't tell the contact twice.
type talkStore interface {
	MarkTalkRequest(ctx context.Context, person, contact string, window time.Duration) (first bool, told string, err error)
	ForgetTalkRequest(ctx context.Context, person string) error
	// MarkOnce and ForgetMark keep the admins' notice to once a day.
	MarkOnce(ctx context.Context, name string, ttl time.Duration) (bool, error)
	ForgetMark(ctx context.Context, name string) error
}

// talkWindow stops a second press of "Yes, please let them know" from
// telling the contact twice.
const talkWindow = 12 * time.Hour

// wellbeingContact is whom a request to talk goes to. It looks where a
// wellbeing contact would be set up, in this order: the service behind the
// check-in, the person's own service, the services of the open cases they
// are on (the most recent first), and then the organisation's default. ""
// when none is set up in any of them.
func (h *Handler) wellbeingContact(ctx context.Context, person, token string) (string, error) {
	var services []string
	if pathway.ValidCheckinToken(token) {
		ci, ok, err := h.Store.GetCheckin(ctx, person, token)
		if err != nil {
			return "", err
		}
		if ok {
			services = append(services, ci.Service)
		}
	}
	settings, err := h.Store.PersonSettings(ctx, person)
	if err != nil {
		return "", err
	}
	services = append(services, settings.Service)
	cases, err := h.Store.ListOpen(ctx, store.CaseFilter{People: []string{person}})
	if err != nil {
		return "", err
	}
	slices.SortFunc(cases, func(a, b *pathway.Case) int { return cmp.Compare(b.ID, a.ID) })
	for _, c := range cases {
		services = append(services, c.Service)
	}
	var svcs store.Services
	for _, name := range services {
		if name == "" || name == "none" {
			continue
		}
		if svcs == nil {
			if svcs, err = h.Store.Services(ctx); err != nil {
				return "", err
			}
		}
		if svc, ok := svcs[name]; ok && svc.Wellbeing != "" {
			return svc.Wellbeing, nil
		}
	}
	return resolveContact(h.Policy.WellbeingContact, person), nil
}

// resolveContact turns the policy's wellbeing_contact into a person id: an
// id with its surface ("slack:U123") as it is; a mention or a bare name on
// the asker's surface ("@jo" in the console is console:jo).
func resolveContact(raw, asker string) string {
	raw = strings.TrimSpace(raw)
	if strings.HasPrefix(raw, "<@") && strings.HasSuffix(raw, ">") {
		raw, _, _ = strings.Cut(strings.TrimSuffix(strings.TrimPrefix(raw, "<@"), ">"), "|")
	}
	raw = strings.TrimPrefix(raw, "@")
	if raw == "" || strings.ContainsAny(raw, " \t\n<>") {
		return ""
	}
	switch s, _ := bot.SplitID(raw); s {
	case bot.Slack, bot.Teams, bot.Console:
		return raw
	}
	surface, _ := bot.SplitID(asker)
	if surface == bot.Console {
		return bot.PersonID(bot.Console, strings.ToLower(raw))
	}
	if surface == "" {
		return ""
	}
	return bot.PersonID(surface, raw)
}

// noContactReply is what a person hears when nobody is set up to be told:
// where to get support now. The admins are told separately, without the
// person's name (tellAdminsNoContact); the reply says so only when they were.
func (h *Handler) noContactReply(ctx context.Context, req bot.Request) bot.Reply {
	text := "I'm sorry — there isn't a wellbeing contact set up in hppbot for your team yet, so I can't pass your request on. Nothing has been sent to anyone. Please don't let that stop you: you can reach any of these yourself, right now, and your line manager or pathway lead can help find the right person."
	if h.tellAdminsNoContact(ctx, req) {
		text += " I've let the hppbot admins know a wellbeing contact is needed, without your name."
	}
	r := bot.Reply{Text: text, Sections: h.supportSections()}
	if h.isAdmin(req.Person) {
		r.Note = "As an admin, you can set a wellbeing contact for a service with /hpp service <name> wellbeing=@someone."
	}
	return r
}

// tellAdminsNoContact tells the admins, once a day and without naming
// anyone, that someone asked to talk and no wellbeing contact is set up.
// It reports whether they have been told today.
func (h *Handler) tellAdminsNoContact(ctx context.Context, req bot.Request) bool {
	if h.Messenger == nil {
		return false
	}
	var admins []string
	for _, a := range h.Admins {
		if id := resolveContact(a, req.Person); id != "" && id != req.Person {
			admins = append(admins, id)
		}
	}
	if len(admins) == 0 {
		return false
	}
	key := "no-wellbeing-contact:" + h.Clock().In(h.Policy.Location()).Format("2006-01-02")
	first, err := h.Store.MarkOnce(ctx, key, 48*time.Hour)
	if err != nil {
		return false
	}
	if !first {
		return true
	}
	msg := bot.Reply{Text: "Someone asked hppbot to put them in touch with a wellbeing contact today, but none is set up for their team, so nothing could be passed on. (I haven't said who, and I'll say this at most once a day.) Please set one for each service with /hpp service <name> wellbeing=@someone, or one for the whole organisation with wellbeing_contact: in the policy file."}
	told := false
	for _, a := range admins {
		if err := h.sendOwn(ctx, key+":"+a, a, msg); err != nil {
			h.Log.Warn("could not tell an admin that no wellbeing contact is set up", "err", err)
			continue
		}
		told = true
	}
	if !told {
		_ = h.Store.ForgetMark(ctx, key)
	}
	return told
}

// talkContact finds whom a request to talk would go to. When it can't go
// anywhere (no contact set up, or the person is the contact), stop is the
// kind reply to give instead.
func (h *Handler) talkContact(ctx context.Context, req bot.Request, token string) (contact string, stop *bot.Reply, err error) {
	contact, err = h.wellbeingContact(ctx, req.Person, token)
	switch {
	case err != nil:
		return "", nil, err
	case contact == "":
		r := h.noContactReply(ctx, req)
		return "", &r, nil
	case contact == req.Person:
		r := h.selfContactReply()
		return "", &r, nil
	}
	return contact, nil, nil
}

func deref(r *bot.Reply) bot.Reply {
	if r == nil {
		return bot.Reply{}
	}
	return *r
}

// talkAsk asks the person to confirm before anyone is told.
func (h *Handler) talkAsk(ctx context.Context, req bot.Request, token string) (bot.Reply, error) {
	contact, stop, err := h.talkContact(ctx, req, token)
	if stop != nil || err != nil {
		return deref(stop), err
	}
	if !pathway.ValidCheckinToken(token) {
		token = noToken
	}
	return bot.Reply{
		Text: fmt.Sprintf("Would you like me to let %s, your wellbeing contact, know that you'd like a conversation? I'll tell them only that — not your answers, and nothing about any case — and they'll get in touch with you privately.", bot.Mention(contact)),
		Buttons: []bot.Button{
			{Label: "Yes, please let them know", Command: "checkin talk-yes " + token, Style: "primary"},
			{Label: "No, not now", Command: "checkin talk-no"},
		},
	}, nil
}

func (h *Handler) selfContactReply() bot.Reply {
	return bot.Reply{
		Text:     "You're the wellbeing contact here yourself, so I can't pass this on to you — but you deserve the same support you give others. Any of these can help:",
		Sections: h.supportSections(),
	}
}

// talkConfirm tells the wellbeing contact — only that this person would like
// a conversation — and tells the person whom it went to. Nothing is recorded
// on any case.
func (h *Handler) talkConfirm(ctx context.Context, req bot.Request, token string) (bot.Reply, error) {
	contact, stop, err := h.talkContact(ctx, req, token)
	if stop != nil || err != nil {
		return deref(stop), err
	}
	first, told, err := h.Store.MarkTalkRequest(ctx, req.Person, contact, talkWindow)
	if err != nil {
		return bot.Reply{}, err
	}
	if !first {
		return bot.Reply{
			Text:     fmt.Sprintf("I've already let %s know you'd like a conversation, so they should be in touch soon. If you need someone sooner, any of these can help:", bot.Mention(told)),
			Sections: h.supportSections(),
		}, nil
	}
	msg := bot.Reply{Text: TalkRequestText(req.Person)}
	if err := h.sendOwn(ctx, noticeKey("talk"), contact, msg); err != nil {
		_ = h.Store.ForgetTalkRequest(ctx, req.Person)
		h.Log.Warn("could not reach a wellbeing contact", "err", err)
		return bot.Reply{
			Text:     fmt.Sprintf("I'm sorry — I couldn't reach %s just now, so nothing has been sent. Please try again in a few minutes, or contact one of these directly:", bot.Mention(contact)),
			Sections: h.supportSections(),
			Buttons:  []bot.Button{{Label: "Try again", Command: "checkin talk-yes " + orNoToken(token)}},
		}, nil
	}
	return bot.Reply{
		Text:     fmt.Sprintf("Done — I've let %s know you'd like a conversation. I told them nothing else: not your answers, and nothing about any case. They'll get in touch with you privately.\nIf you need to talk to someone sooner:", bot.Mention(contact)),
		Sections: h.supportSections(),
	}, nil
}

func orNoToken(token string) string {
	if pathway.ValidCheckinToken(token) {
		return token
	}
	return noToken
}

// TalkRequestText is the whole of what a wellbeing contact is told: who
// would like a conversation. No score, no case, no detail.
func TalkRequestText(person string) string {
	return bot.Mention(person) + " would like a conversation about how they're doing after a difficult event at work. Please reach out to them privately."
}

// urgentWords pick out the urgent help lines in a support list.
var urgentWords = []string{"999", "111", "116 123", "samaritans", "emergency", "urgent", "crisis"}

func isUrgent(o pathway.SupportOption) bool {
	s := strings.ToLower(o.Name + " " + o.How)
	for _, w := range urgentWords {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

func supportLine(o pathway.SupportOption) string {
	line := "• *" + o.Name + "* — " + o.How
	if o.When != "" {
		line += " (" + o.When + ")"
	}
	return line
}

// supportSections lists the organisation's support, urgent help last and
// marked. UK urgent lines are always shown, even if the policy lists none.
func (h *Handler) supportSections() []bot.Section {
	opts := h.Policy.Support
	if len(opts) == 0 {
		opts = pathway.DefaultSupport()
	}
	var everyday, urgent []string
	for _, o := range opts {
		if isUrgent(o) {
			urgent = append(urgent, supportLine(o))
		} else {
			everyday = append(everyday, supportLine(o))
		}
	}
	if len(urgent) == 0 {
		urgent = append(urgent, "• *NHS 111* — call 111 if you need urgent help for your own health (24 hours a day)",
			"• *Samaritans* — call 116 123 free, any time, to talk to someone (24 hours a day)",
			"• *Emergency* — call 999 if you or someone else is in immediate danger")
	}
	var out []bot.Section
	if len(everyday) > 0 {
		out = append(out, bot.Section{Title: "Support for you", Text: strings.Join(everyday, "\n")})
	}
	return append(out, bot.Section{Title: "⚠️ If you need help urgently", Text: strings.Join(urgent, "\n")})
}

// support is /hpp support.
func (h *Handler) support(ctx context.Context, req bot.Request) (bot.Reply, error) {
	return bot.Reply{
		Text:     "*Support for staff* — after a difficult event at work it's normal to need support, and asking for it is a good thing to do. You can contact any of these yourself:",
		Sections: h.supportSections(),
		Note:     "Nobody is told that you looked at this. If you'd like, I can ask your wellbeing contact to get in touch with you.",
		Buttons:  []bot.Button{{Label: "I'd like to talk to someone", Command: "checkin talk " + noToken}},
	}, nil
}
