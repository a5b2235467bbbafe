# rulebooks/cs-floor.yaml's 40 rules in Rego, for the benchmarks' Rego peer (benchmarks/cs_floor.py).
#
# Input: one record as checkengine reads it. data: the rulebook's parameters in force
# (max_minutes_outside_room, min_minutes_on_post_early). Output: data.checkengine.cs_floor.outcomes,
# {rule id: outcome} for the rules that apply to the record's kind, decided as the engine decides:
# a null observation needs review, a missing answer needs review, a failure without the evidence
# the rule asks for needs review, a false `when` or another shift is not_applicable.
# benchmarks/bench_cs_floor.py refuses to time it unless it agrees with checkengine on every rule
# of every record.
package checkengine.cs_floor

import rego.v1

obs := object.get(input, "observations", {})

answers := a if {
	a := input.answers
	a != null
} else := {}

# -- observation checks (equals, one_of, in_range) ----------------------------------------------
equals := {
	"DRS-01-uniform": ["uniform", true],
	"DRS-02-badge": ["badge", "standard"],
	"WKS-01-monitor-right": ["monitor_right", true],
	"WKS-02-headset-right": ["headset_right", true],
	"WKS-08-no-cups": ["cup_on_desk", false],
	"CND-03-no-private-activity": ["private_activity", "none"],
	"CND-04-no-mobile": ["mobile_phone", false],
	"CND-05-no-games-web": ["non_work_screen", false],
	"CND-10-visitors-registered": ["unregistered_outsiders", 0],
	"HYG-04-no-peels": ["fruit_peels", false],
	"SEC-02-no-flame-heaters": ["open_flame_or_heater", false],
}

one_of := {
	"DRS-05-hair-tied": ["hair", {"short", "tied"}],
	"WKS-04-chair": ["chair", {"in_use", "in_place"}],
	"WKS-06-keyboard-drawer": ["keyboard", {"in_use", "in_drawer"}],
	"CND-07-leave-post-approved": ["post", {"at_post", "away_approved"}],
}

equals_outcome(name, want) := "needs_review" if {
	object.get(obs, name, null) == null
} else := "pass" if {
	obs[name] == want
} else := "fail"

one_of_outcome(name, allowed) := "needs_review" if {
	object.get(obs, name, null) == null
} else := "pass" if {
	allowed[obs[name]]
} else := "fail"

# CND-08: `when: !(leader_agreed_absence == true)`, then in_range ..max_minutes_outside_room.
minutes_outside_outcome := "not_applicable" if {
	object.get(obs, "leader_agreed_absence", null) == true
} else := "needs_review" if {
	object.get(obs, "minutes_outside_room", null) == null
} else := "pass" if {
	is_number(obs.minutes_outside_room)
	obs.minutes_outside_room <= data.max_minutes_outside_room
} else := "fail"

# -- manual checks (the auditor's answers) --------------------------------------------------------
# rule id -> [a failure needs a comment, a failure needs a photo]
manual := {
	"DRS-03-neat-clothes": [true, false],
	"DRS-04-light-makeup": [true, false],
	"DRS-06-locker": [true, true],
	"WKS-03-desk-tidy": [true, true],
	"WKS-05-items-aligned": [true, false],
	"WKS-07-equipment-untouched": [true, true],
	"WKS-09-unrelated-items": [true, false],
	"CND-01-posture": [true, false],
	"CND-02-no-loud-talk": [true, false],
	"CND-06-off-duty-not-lingering": [true, false],
	"CND-10-no-chatting-with-customers": [true, false],
	"HYG-01-dust-free": [true, true],
	"HYG-02-floor-clean": [true, true],
	"HYG-03-bulletin-board": [true, false],
	"HYG-05-dressing-room-quiet": [true, false],
	"SEC-01-customer-data": [true, true],
	"SEC-03-safety-check": [true, false],
}

answer_results := {
	"pass": "pass", "fail": "fail", "n.a.": "not_applicable", "na": "not_applicable",
	"not_applicable": "not_applicable",
}

blank(x) if x == null

blank(x) if x == ""

blank(x) if x == {}

blank(x) if x == []

manual_outcome(answer, need) := "needs_review" if {
	blank(answer)
} else := answer_results[answer.result] if {
	answer_results[answer.result] != "fail"
} else := "needs_review" if {
	need[0]
	blank(object.get(answer, "comment", null))
} else := "needs_review" if {
	need[1]
	blank(object.get(answer, "evidence", null))
} else := "fail"

# -- dates ----------------------------------------------------------------------------------------
weekdays := {"Monday": 1, "Tuesday": 2, "Wednesday": 3, "Thursday": 4, "Friday": 5, "Saturday": 6, "Sunday": 7}

day_ns(s) := time.parse_ns("2006-01-02", substring(s, 0, 10))

# Whole calendar days from the date of a to the date of b (the condition language's days_between).
days_between(a, b) := round((day_ns(b) - day_ns(a)) / 86400000000000)

weekday(s) := weekdays[time.weekday(day_ns(s))]

minutes_between(a, b) := (time.parse_rfc3339_ns(b) - time.parse_rfc3339_ns(a)) / 60000000000

# compare's min, with the engine's tolerance for floating point
at_least(value, low) if value >= low - (1e-9 * max([1, abs(value)]))

# HYG-05: the dressing room cleaned on the Monday of the round's week (on a Monday, the last one too).
monday_ok(cleaned, ts) if days_between(cleaned, ts) == weekday(ts) - 1

monday_ok(cleaned, ts) if {
	weekday(ts) == 1
	days_between(cleaned, ts) == 7
}

monday_cleaning := "not_applicable" if {
	object.get(obs, "dressing_room_last_cleaned", null) == null
} else := "pass" if {
	monday_ok(obs.dressing_room_last_cleaned, input.timestamp)
} else := "fail"

# HYG-06: leaves cleaned on the latest Friday (on a Friday, the one before counts too).
friday_ok(cleaned, ts) if days_between(cleaned, ts) == (weekday(ts) + 2) % 7

friday_ok(cleaned, ts) if {
	weekday(ts) == 5
	days_between(cleaned, ts) == 7
}

friday_leaves := "not_applicable" if {
	object.get(obs, "plant_leaves_last_cleaned", null) == null
} else := "pass" if {
	friday_ok(obs.plant_leaves_last_cleaned, input.timestamp)
} else := "fail"

shift_kind := k if {
	k := input.shift.kind
	k != null
} else := object.get(object.get(input, "data", {}), "shift_kind", null)

# HYG-06: day shift only, and only when the round looked at the plants.
plants_watered := "not_applicable" if {
	shift_kind != "day"
} else := "not_applicable" if {
	object.get(obs, "plants_watered", null) == null
} else := "pass" if {
	obs.plants_watered == true
} else := "fail"

# -- the outcomes -----------------------------------------------------------------------------------
floor := object.union_n([
	{rule: equals_outcome(spec[0], spec[1]) | some rule, spec in equals},
	{rule: one_of_outcome(spec[0], spec[1]) | some rule, spec in one_of},
	{rule: manual_outcome(object.get(answers, rule, null), need) | some rule, need in manual},
	{
		"CND-08-time-outside-room": minutes_outside_outcome,
		"HYG-05-monday-cleaning": monday_cleaning,
		"HYG-06-plants-watered": plants_watered,
		"HYG-06-leaves-cleaned-friday": friday_leaves,
	},
])

# HND-01: `when: has(record.data.on_post_at)`, then compare: min min_minutes_on_post_early.
on_post_early := "not_applicable" if {
	not has_on_post
} else := "pass" if {
	at_least(minutes_between(input.data.on_post_at, input.data.shift_start), data.min_minutes_on_post_early)
} else := "fail"

has_on_post if {
	_ = input.data.on_post_at
}

# HND-02: compare: min 0.
relieved := "pass" if {
	at_least(minutes_between(input.data.incoming_arrived_at, input.data.outgoing_left_at), 0)
} else := "fail"

# HND-03: the log's three fields filled in.
log_complete := "pass" if {
	log := input.data.log
	count(object.get(log, "equipment", "")) > 0
	count(object.get(log, "open_problems", "")) > 0
	count(object.get(log, "staff_changes", "")) > 0
} else := "fail"

# HND-04: equals data.brief true.
brief := "needs_review" if {
	object.get(input.data, "brief", null) == null
} else := "pass" if {
	input.data.brief == true
} else := "fail"

outcomes := floor if {
	input.kind == "floor_inspection"
} else := {"HND-01-on-post-early": on_post_early} if {
	input.kind == "attendance"
} else := {
	"HND-02-no-leaving-before-relief": relieved,
	"HND-03-log-complete": log_complete,
	"HND-04-brief-handover": brief,
} if {
	input.kind == "handover"
} else := {}
