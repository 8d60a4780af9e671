package pathway

import (
	"fmt"
	"time"
)

// Retention is how long hppbot keeps what it stores once it is no longer
// needed for the work: hppbot is a working tool beside the organisation's
// risk management system, which holds the record of truth under the NHS
// Records Management Code of Practice. docs/operations.md gives the
// reasoning for each default.
type Retention struct {
	// ClosedCaseKeep is how long a closed case (its record, timeline and
	// index entries) is kept after it closed; then the scheduler purges it.
	ClosedCaseKeep Span
	// SettingsKeep is how long a person's own settings (check-ins on or
	// off, the service they were last involved in) and the address the
	// chat platform gave for messaging them are kept after they last
	// changed or were used.
	SettingsKeep Span
	// PurgeAuditKeep is how long the line recording that a case was purged
	// (case id, incident reference, closed and purged dates) is kept.
	PurgeAuditKeep Span
}

// The retention defaults: see docs/operations.md, "What is stored, and for
// how long".
var (
	DefaultClosedCaseKeep = Span{13, Month}
	DefaultSettingsKeep   = Span{13, Month}
	DefaultPurgeAuditKeep = Span{240, Month}
)

// DefaultRetention returns the retention defaults.
func DefaultRetention() Retention {
	return Retention{ClosedCaseKeep: DefaultClosedCaseKeep, SettingsKeep: DefaultSettingsKeep, PurgeAuditKeep: DefaultPurgeAuditKeep}
}

// retentionKeys are the policy file's keys under retention:.
var retentionKeys = []string{"closed_case_keep", "settings_keep", "purge_audit_keep"}

func (r *Retention) fields() map[string]*Span {
	return map[string]*Span{"closed_case_keep": &r.ClosedCaseKeep, "settings_keep": &r.SettingsKeep, "purge_audit_keep": &r.PurgeAuditKeep}
}

// minKeep is the least any retention may be: a case closed by mistake can
// still be reopened for a month, and a month covers the 30 days a delivery
// mark is kept.
const minKeep = 30 * 24 * time.Hour

func (r Retention) check() error {
	for _, key := range retentionKeys {
		s := *r.fields()[key]
		switch s.Unit {
		case Day, Week, Month:
		default:
			return fmt.Errorf("%s: %s should be in days, weeks or months, such as 13mo", key, s)
		}
		if s.Approx() < minKeep {
			return fmt.Errorf("%s: %s is too short — the least is 30d, so a case closed by mistake can still be reopened", key, s)
		}
	}
	return nil
}

// back is the time s before t, in the policy's time zone.
func (p *Policy) back(t time.Time, s Span) time.Time {
	t = t.In(p.Location())
	switch s.Unit {
	case Day:
		return t.AddDate(0, 0, -s.N)
	case Week:
		return t.AddDate(0, 0, -7*s.N)
	case Month:
		return addMonths(t, -s.N)
	}
	return t.Add(-s.Approx())
}

// PurgeCutoff is the latest closing time of a case due to be purged at now:
// a case closed at or before it has been kept its full time.
func (p *Policy) PurgeCutoff(now time.Time) time.Time {
	return p.back(now, p.Retention.ClosedCaseKeep)
}

// PurgeDue is when a case closed at closed is purged.
func (p *Policy) PurgeDue(closed time.Time) time.Time {
	return p.Calendar.Add(closed, p.Retention.ClosedCaseKeep)
}

// SettingsTTL is how long a person's settings are kept from now.
func (p *Policy) SettingsTTL(now time.Time) time.Duration {
	return now.Sub(p.back(now, p.Retention.SettingsKeep))
}

// PurgeAuditTTL is how long a purge audit line is kept from now.
func (p *Policy) PurgeAuditTTL(now time.Time) time.Duration {
	return now.Sub(p.back(now, p.Retention.PurgeAuditKeep))
}
