@review
Feature: Review by the CAC office (审核)
  Submitted filings wait in the review queue of the province the processor is located in,
  oldest statutory deadline first. A reviewer records a filing (已备案), which issues a filing
  number embedding the province and the year, or returns it for correction (退回补正) with
  reasons. Nobody sees filings outside their jurisdiction; the national CAC sees every province.

  Background:
    Given the platform is running
    And processor "Shanghai Smart Campus Ltd" is registered in province 310000
    And "Wang" is a reviewer at the provincial CAC office of 310000

  @smoke
  Scenario: The reviewer sees the queue oldest deadline first and records a filing (已备案)
    Given processor "Pudong Late Filer Ltd" is registered in province 310000
    And "Shanghai Smart Campus Ltd" has submitted a complete initial filing triggered 3 days ago
    And "Pudong Late Filer Ltd" has submitted a complete initial filing triggered on 2026-01-20
    When "Wang" opens the review queue
    Then the queue lists 2 filings
    And the queue is ordered by statutory due date, oldest first
    And the queue starts with the filing of "Pudong Late Filer Ltd"
    And the queue ends with the filing of "Shanghai Smart Campus Ltd"
    When "Wang" takes up the first filing in the queue
    Then it is the filing of "Pudong Late Filer Ltd"
    When "Wang" records the filing
    Then the response status is 200
    And a filing number matching "^310000-\d{4}-\d{6}$" is issued
    When "Pudong Late Filer Ltd" looks at the filing
    Then the filing's status is "filed"
    And the filing's status shown in Chinese is "已备案"
    And the filing carries the number issued
    When "Wang" opens the review queue
    Then the queue lists 1 filing
    And the queue does not contain the filing
    When "Wang" records the filing
    Then the response status is 409
    And the problem code is "filing.illegal_transition"

  # Gap-free numbering needs provinces of its own: no other scenario may record meanwhile.
  @in-process
  Scenario: Filing numbers (备案编号) run without gaps per province and year
    Given processor "Minhang Second Ltd" is registered in province 310000
    And processor "Haidian Vision Ltd" is registered in province 110000
    And "Li" is a reviewer at the provincial CAC office of 110000
    And "Shanghai Smart Campus Ltd" has submitted a complete initial filing triggered 5 days ago
    When "Wang" records the filing
    Then the filing number issued is "310000-{year}-000001"
    Given "Haidian Vision Ltd" has submitted a complete initial filing triggered 5 days ago
    When "Li" records the filing
    Then the filing number issued is "110000-{year}-000001"
    Given "Minhang Second Ltd" has submitted a complete initial filing triggered 5 days ago
    When "Wang" records the filing
    Then the filing number issued is "310000-{year}-000002"

  Scenario: Returned for correction (退回补正), corrected and resubmitted
    Given "Shanghai Smart Campus Ltd" has submitted a complete initial filing triggered 5 days ago
    When "Wang" returns the filing for correction with these reasons:
      | path                  | message                                              |
      | storage.people_stored | The number of people stored differs from the PIPIA. |
    Then the response status is 200
    When "Shanghai Smart Campus Ltd" looks at the filing
    Then the filing's status is "returned"
    And the filing's status shown in Chinese is "退回补正"
    And the filing's return reasons are:
      | path                  | message                                              |
      | storage.people_stored | The number of people stored differs from the PIPIA. |
    When "Wang" opens the review queue
    Then the queue does not contain the filing
    When "Shanghai Smart Campus Ltd" sets storage.people_stored to 131000 in the form, sending the previous version
    Then the response status is 409
    And the problem code is "filing.version_conflict"
    When "Shanghai Smart Campus Ltd" sets storage.people_stored to 131000 in the form, sending the current version
    Then the response status is 200
    And the form has storage.people_stored = 131000
    When "Shanghai Smart Campus Ltd" submits the filing
    Then the response status is 200
    And the filing's status is "submitted"
    And the filing is not late
    And the filing's history seen by "Shanghai Smart Campus Ltd" shows 1 "filing.resubmitted" entry
    When "Wang" opens the review queue
    Then the queue contains the filing

  Scenario: An Idempotency-Key does not replay an answer from before a correction
    Given "Shanghai Smart Campus Ltd" has a complete initial filing draft triggered 5 days ago
    When "Shanghai Smart Campus Ltd" submits the filing with Idempotency-Key "round-1"
    Then the response status is 200
    When "Wang" returns the filing for correction with these reasons:
      | path | message                            |
      |      | Please seal the commitment letter. |
    Then the response status is 200
    When "Shanghai Smart Campus Ltd" submits the filing with Idempotency-Key "round-1" again
    Then the response status is 422
    And the problem code is "idempotency.key_reused"
    When "Shanghai Smart Campus Ltd" submits the filing with Idempotency-Key "round-2"
    Then the response status is 200
    And the filing's status is "submitted"

  Scenario: Refusal (不予备案) needs reasons and is final
    Given "Shanghai Smart Campus Ltd" has submitted a complete initial filing triggered 5 days ago
    When "Wang" sends POST /api/v1/filings/{filing}/refuse with the body {"reasons": []}
    Then the response status is 422
    And the problem code is "review.invalid_reasons"
    When "Wang" sends POST /api/v1/filings/{filing}/refuse with the body {"reasons": [{"path": null, "message": "The store never reached 100,000 people."}]}
    Then the response status is 200
    And the filing's status is "refused"
    And the filing's status shown in Chinese is "不予备案"
    When "Wang" records the filing
    Then the response status is 409
    And the problem code is "filing.illegal_transition"
    When "Shanghai Smart Campus Ltd" submits the filing
    Then the response status is 409

  Scenario: Assignment (分派): a reviewer takes a filing, a supervisor reassigns it
    Given "Li" is a reviewer at the provincial CAC office of 310000
    And "Zhou" is a supervisor at the provincial CAC office of 310000
    And "Shanghai Smart Campus Ltd" has submitted a complete initial filing triggered 5 days ago
    When "Wang" takes the filing
    Then the response status is 200
    And the filing is assigned to "Wang"
    When "Li" takes the filing
    Then the response status is 409
    And the problem code is "filing.already_assigned"
    When "Li" records the filing
    Then the response status is 409
    And the problem code is "filing.assigned_to_other"
    When "Wang" assigns the filing to "Li"
    Then the response status is 403
    When "Zhou" assigns the filing to "Li" with a stale version
    Then the response status is 409
    And the problem code is "filing.version_conflict"
    When "Zhou" assigns the filing to "Li"
    Then the response status is 200
    And the filing is assigned to "Li"
    When "Li" opens the review queue of filings assigned to them
    Then the queue contains the filing
    When "Li" records the filing
    Then the response status is 200

  Scenario: Two reviewers decide the same filing at once: exactly one wins (并发审核)
    Given "Li" is a reviewer at the provincial CAC office of 310000
    And "Shanghai Smart Campus Ltd" has submitted a complete initial filing triggered 5 days ago
    When "Wang" records the filing while "Li" refuses it, both sending the version they saw
    Then one decision answered 200 and the other 409 "filing.version_conflict"
    And the filing was decided exactly once

  Scenario: Risk flags (风险提示) point the reviewer at what the law forbids
    Given "Shanghai Smart Campus Ltd" has a complete initial filing draft triggered 5 days ago
    When "Shanghai Smart Campus Ltd" sets purposes.device_locations to [{"description": "更衣室入口", "location_kind": "private_space", "device_count": 1}] in the form, sending the current version
    And "Shanghai Smart Campus Ltd" sets purposes.processes_minors_under_14 to true in the form, sending the current version
    And "Shanghai Smart Campus Ltd" sets purposes.guardian_consent to false in the form, sending the current version
    And "Shanghai Smart Campus Ltd" sets purposes.special_rules_for_minors to true in the form, sending the current version
    And "Shanghai Smart Campus Ltd" submits the filing
    Then the response status is 200
    And "Wang" sees the filing's risk level "critical"
    And "Wang" sees a risk flag "device_in_private_space" from "Art. 13" of severity "critical"
    And "Wang" sees a risk flag "minors_without_guardian_consent" from "Art. 7" of severity "high"
    And "Shanghai Smart Campus Ltd" sees no risk flags on the filing

  Scenario: The review clock (审核时限) pauses while the processor corrects
    Given "Shanghai Smart Campus Ltd" has submitted a complete initial filing triggered 5 days ago
    Then "Wang" sees the review due 15 working days from today
    Given 6 working days pass
    When "Wang" returns the filing for correction with these reasons:
      | path         | message                               |
      | pipia.summary | Summarise the assessment's findings. |
    Then the response status is 200
    And "Wang" sees the review clock paused with 6 working days used
    And "Wang" sees the correction due 15 working days from today
    When "Shanghai Smart Campus Ltd" submits the filing
    Then the response status is 200
    And "Wang" sees the review due 9 working days from today

  Scenario: A reason for the return is required
    Given "Shanghai Smart Campus Ltd" has submitted a complete initial filing triggered 5 days ago
    When "Wang" sends POST /api/v1/filings/{filing}/return with the body {"reasons": []}
    Then the response status is 422
    And the problem code is "review.invalid_reasons"
    And the problem lists errors at these paths:
      | path    | code       |
      | reasons | empty_list |

  Scenario: A reviewer of another province neither sees nor decides the filing (跨省)
    Given "Shanghai Smart Campus Ltd" has submitted a complete initial filing triggered 5 days ago
    And "Li" is a reviewer at the provincial CAC office of 110000
    When "Li" opens the review queue
    Then the queue is empty
    When "Li" looks at the filing
    Then the response status is 404
    And the problem code is "not_found"
    When "Li" records the filing
    Then the response status is 404
    When "Li" downloads the first material of the filing
    Then the response status is 404

  Scenario: The national CAC (国家网信办) sees every province and may record
    Given "Shanghai Smart Campus Ltd" has submitted a complete initial filing triggered 5 days ago
    And "Zhao" is a reviewer at the national CAC
    When "Zhao" opens the review queue
    Then the queue contains the filing
    When "Zhao" looks at the filing
    Then the filing's status is "submitted"
    When "Zhao" records the filing
    Then the response status is 200
    And a filing number matching "^310000-\d{4}-\d{6}$" is issued

  Scenario: A public-security inspector (公安机关) has no review queue
    Given "Zhou" is an inspector at the public security organ of 310000
    When "Zhou" opens the review queue
    Then the response status is 403
    And the problem code is "auth.forbidden"

  Scenario: Another processor sees neither the filing nor its materials
    Given "Shanghai Smart Campus Ltd" has submitted a complete initial filing triggered 5 days ago
    And processor "Nosy Neighbour Ltd" is registered in province 310000
    When "Nosy Neighbour Ltd" looks at the filing
    Then the response status is 404
    And the problem code is "not_found"
    When "Nosy Neighbour Ltd" downloads the first material of the filing
    Then the response status is 404
    When "Nosy Neighbour Ltd" lists its filings
    Then the list has 0 filings
    When "Shanghai Smart Campus Ltd" downloads the first material of the filing
    Then the response status is 200
    When "Wang" downloads the first material of the filing
    Then the response status is 200
