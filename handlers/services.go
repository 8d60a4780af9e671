package handlers

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"hppbot/bot"
	"hppbot/pathway"
	"hppbot/store"
)

// serviceStore reads and writes services.
type serviceStore interface {
	Service(ctx context.Context, name string) (pathway.Service, bool, error)
	Services(ctx context.Context) (store.Services, error)
	SaveService(ctx context.Context, svc pathway.Service) error
}

func (h *Handler) serviceCommands() []*command {
	return []*command{{
		name:    "service",
		grammar: grammar{positional: 1, options: []string{"lead", "channel", "wellbeing"}},
		run:     h.service,
		noArgs:  h.services,
		usage:   "service <name> [lead=@u] [channel=#c] [wellbeing=@u]",
		summary: "set up a service: its pathway lead, team channel and wellbeing contact (admins)",
		group:   "setup",
		help: "Sets up a service, or changes it. Admins only.\n" +
			"• lead — the pathway lead, who hears when reminders go unanswered\n" +
			"• channel — the team channel for escalations and the morning digest (case ids only, never patient details)\n" +
			"• wellbeing — who staff can ask to talk to\n" +
			"/hpp service <name> on its own shows how a service is set up; /hpp service lists them.\n" +
			"Example: /hpp service maternity lead=@alex channel=#maternity-safety wellbeing=@jo",
	}}
}

func (h *Handler) services(ctx context.Context, req bot.Request) (bot.Reply, error) {
	svcs, err := h.Store.Services(ctx)
	if err != nil {
		return bot.Reply{}, err
	}
	if len(svcs) == 0 {
		return bot.Reply{Text: "No services are set up yet. An admin can add one: /hpp service maternity lead=@alex channel=#maternity-safety"}, nil
	}
	names := make([]string, 0, len(svcs))
	for n := range svcs {
		names = append(names, n)
	}
	sort.Strings(names)
	var lines []string
	for _, n := range names {
		lines = append(lines, "• "+serviceLine(svcs[n]))
	}
	return bot.Reply{Text: "*Services*", Sections: []bot.Section{{Text: strings.Join(lines, "\n")}}}, nil
}

func serviceLine(s pathway.Service) string {
	parts := []string{"*" + s.Name + "*"}
	if s.Lead != "" {
		parts = append(parts, "pathway lead "+bot.Mention(s.Lead))
	} else {
		parts = append(parts, "no pathway lead yet")
	}
	if s.Channel != "" {
		parts = append(parts, "channel "+bot.Channel(s.Channel))
	}
	if s.Wellbeing != "" {
		parts = append(parts, "wellbeing contact "+bot.Mention(s.Wellbeing))
	}
	return strings.Join(parts, " · ")
}

func (h *Handler) service(ctx context.Context, req bot.Request, cmd Command) (bot.Reply, error) {
	if len(cmd.Args) == 0 {
		return h.services(ctx, req)
	}
	name, err := pathway.ParseServiceName(cmd.Args[0])
	if err != nil {
		return bot.Reply{}, err
	}
	if err := pathway.CheckText("service name", name); err != nil {
		return bot.Reply{}, err
	}
	svc, existed, err := h.Store.Service(ctx, name)
	if err != nil {
		return bot.Reply{}, err
	}
	if len(cmd.Opts) == 0 {
		if !existed {
			return bot.Reply{Text: fmt.Sprintf("%s isn't set up yet. An admin can set it up: /hpp service %s lead=@alex channel=#%s-safety", name, name, name)}, nil
		}
		return bot.Reply{Text: serviceLine(svc)}, nil
	}
	if !h.isAdmin(req.Person) {
		return bot.Reply{}, pathway.Errorf(pathway.Forbidden, "Only hppbot admins can set up services. Please ask an hppbot admin (your pathway lead or IT team will know who) to set up %s for you — /hpp service %s shows how it is set up now.", name, name)
	}
	if v, ok := cmd.Opts["lead"]; ok {
		person, err := h.onePerson("lead", v, req.Surface, "lead= takes one person, for example lead=@alex.")
		if err != nil {
			return bot.Reply{}, err
		}
		svc.Lead = person
	}
	if v, ok := cmd.Opts["wellbeing"]; ok {
		person, err := h.onePerson("wellbeing", v, req.Surface, "wellbeing= takes one person, for example wellbeing=@jo.")
		if err != nil {
			return bot.Reply{}, err
		}
		svc.Wellbeing = person
	}
	if v, ok := cmd.Opts["channel"]; ok {
		ch, err := resolveChannel(v, req.Surface, req.Channel)
		if err != nil {
			return bot.Reply{}, err
		}
		svc.Channel = ch
	}
	svc.Name = name
	svc.SetBy = req.Person
	svc.SetAt = h.Clock()
	if err := h.Store.SaveService(ctx, svc); err != nil {
		return bot.Reply{}, err
	}
	verb := "updated"
	if !existed {
		verb = "set up"
	}
	text := fmt.Sprintf("Service %s: %s.", verb, serviceLine(svc))
	if svc.Lead == "" {
		text += fmt.Sprintf("\nIt has no pathway lead yet, so unanswered reminders can only go to the channel. Add one: /hpp service %s lead=@name", name)
	}
	if svc.Channel == "" {
		text += fmt.Sprintf("\nWith a team channel, escalations and the morning digest of overdue cases go there too (case ids only): /hpp service %s channel=#%s-safety", name, name)
	}
	return bot.Reply{Text: text}, nil
}
