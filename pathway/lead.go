package pathway

// LeadActing is the Step of a lead event in which the service's pathway lead
// took a case on themselves, usually from an escalation: they are its acting
// named contact until they hand it on.
const LeadActing = "acting"
