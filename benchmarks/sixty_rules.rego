# bench_evaluate.py's 60-rule rulebook in Rego, for its Rego peer.
#
# data.rules lists the rules in order, as bench_evaluate.rules() generates them: {type, and the
# observation (n), flag (f) or answer (item) it reads}; data.max_n, data.notice, data.greeting and
# data.rude are the rulebook's parameters. Every third rule (R00, R03, ...) applies only when
# record.observations.on_duty is true. Phrases are matched as checkengine matches them (width,
# script and case folded): Rego has no Chinese script conversion, so `phrase_key` (a text's folded
# key) and `said` (a phrase's key said in a text's) are checkengine's own functions, given to the
# engine as extensions. Output: data.checkengine.bench_sixty.outcomes, {rule id: outcome}.
package checkengine.bench_sixty

import rego.v1

obs := input.observations

answers := a if {
	a := input.answers
	a != null
} else := {}

applies(i) if i % 3 != 0

applies(i) if obs.on_duty == true

outcomes := {sprintf("R%02d", [i]): outcome(i, rule) | some i, rule in data.rules}

outcome(i, rule) := "not_applicable" if {
	not applies(i)
} else := check(rule)

check(rule) := "needs_review" if {
	rule.type in {"equals", "in_range"}
	object.get(obs, rule.field, null) == null
} else := "pass" if {
	rule.type == "equals"
	obs[rule.field] == true
} else := "pass" if {
	rule.type == "in_range"
	is_number(obs[rule.field])
	obs[rule.field] <= data.max_n
} else := manual(object.get(answers, rule.item, null)) if {
	rule.type == "manual"
} else := "pass" if {
	rule.type == "compare"
	obs[rule.n] * 2 <= data.max_n
} else := "pass" if {
	rule.type == "expression"
	obs[rule.n] < 35
	obs[rule.f] == true
} else := phrases if {
	rule.type == "phrases"
} else := notice if {
	rule.type == "notice"
} else := "fail"

answer_results := {"pass": "pass", "fail": "fail", "n.a.": "not_applicable", "na": "not_applicable"}

manual(answer) := "needs_review" if {
	answer == null
} else := "needs_review" if {
	answer == {}
} else := answer_results[answer.result]

# -- phrases: the greeting in the agent's first turn, no rude phrase in any of the agent's turns ----
primary(language) := lower(split(language, "-")[0])

language := input.data.language

phrases_of(mapping) := [phrase_key(p) | some lang, list in mapping; primary(lang) == primary(language); some p in list]

agent_turns := [phrase_key(t.text) | some t in input.data.turns; t.speaker == "agent"]

greeted if {
	some p in phrases_of(data.greeting)
	said(p, agent_turns[0])
}

forbidden if {
	some p in phrases_of(data.rude)
	some t in agent_turns
	said(p, t)
}

phrases := "pass" if {
	greeted
	not forbidden
} else := "fail"

# -- notice: from data.requested_at to data.shift_start, at least data.notice minutes ---------------
notice := "pass" if {
	given := (time.parse_rfc3339_ns(input.data.shift_start) - time.parse_rfc3339_ns(input.data.requested_at)) / 60000000000
	given >= data.notice
} else := "fail"
