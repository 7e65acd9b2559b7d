@filing
Feature: Filing under Art. 15 (备案)
  A processor whose face-recognition store reaches 100,000 people files with the CAC office of
  its province within 30 working days (首次备案); a substantive change (变更备案) and the end of
  use (注销备案) are filed against the recorded filing, within 30 working days too. The form
  holds the five materials of Art. 15; the sealed documents are uploaded as materials (附件).

  Background:
    Given the platform is running
    And processor "Shanghai Smart Campus Ltd" is registered in province 310000

  @smoke
  Scenario: An initial filing (首次备案) submitted on time
    Given "Shanghai Smart Campus Ltd" has a complete initial filing draft triggered 5 days ago
    When "Shanghai Smart Campus Ltd" submits the filing
    Then the response status is 200
    And the filing's status is "submitted"
    And the filing's status shown in Chinese is "已提交"
    And the statutory due date is 30 working days after the trigger date
    And the filing is not late
    And the filing is late by 0 working days
    And the filing has 6 attachments
    When "Shanghai Smart Campus Ltd" attaches a 1000-byte PDF as "other"
    Then the response status is 409
    And the problem code is "filing.not_editable"

  Scenario: A late initial filing whose period crosses the 2026 Spring Festival
    Given "Shanghai Smart Campus Ltd" has a complete initial filing draft triggered on 2026-01-20
    When "Shanghai Smart Campus Ltd" submits the filing
    Then the response status is 200
    And the filing's status is "submitted"
    And the statutory due date is 2026-03-09
    And the statutory due date is 30 working days after the trigger date
    And the filing is late
    And the filing is late by more than 100 working days
    And the filing is late by the working days from its due date to the day it was submitted

  Scenario: An incomplete filing cannot be submitted, and every problem is listed
    Given "Shanghai Smart Campus Ltd" has an initial filing draft with an empty form
    When "Shanghai Smart Campus Ltd" submits the filing
    Then the response status is 422
    And the problem code is "filing.incomplete"
    And the problem lists errors at these paths:
      | path                             | code     |
      | basic.processor_name             | required |
      | storage.people_stored            | required |
      | storage.reached_threshold_on     | required |
      | pipia.completed_on               | required |
      | attachments.uscc_certificate     | required |
      | attachments.commitment_letter    | required |
      | attachments.pipia_report         | required |
    When "Shanghai Smart Campus Ltd" looks at the filing
    Then the filing's status is still "draft"

  Scenario: A retried submission with the same Idempotency-Key (幂等) is answered once
    Given "Shanghai Smart Campus Ltd" has a complete initial filing draft triggered 5 days ago
    When "Shanghai Smart Campus Ltd" submits the filing with Idempotency-Key "submit-7f3a9c"
    And "Shanghai Smart Campus Ltd" submits the filing with Idempotency-Key "submit-7f3a9c" again
    Then all those submissions answered 200 with the same body
    And the filing's status is "submitted"
    And the filing's history seen by "Shanghai Smart Campus Ltd" shows 1 "filing.submitted" entry
    Given "Wang" is a reviewer at the provincial CAC office of 310000
    Then the audit trail seen by "Wang" shows 1 "filing.submitted" entry
    When "Shanghai Smart Campus Ltd" submits the filing
    Then the response status is 409
    And the problem code is "filing.illegal_transition"

  Scenario: Two submissions with the same Idempotency-Key sent at once are answered once
    Given "Shanghai Smart Campus Ltd" has a complete initial filing draft triggered 5 days ago
    When "Shanghai Smart Campus Ltd" submits the filing twice at once with Idempotency-Key "submit-b81d20"
    Then all those submissions answered 200 with the same body
    And the filing's history seen by "Shanghai Smart Campus Ltd" shows 1 "filing.submitted" entry

  Scenario: An Idempotency-Key cannot be reused for another filing
    Given "Shanghai Smart Campus Ltd" has a complete initial filing draft triggered 5 days ago
    When "Shanghai Smart Campus Ltd" submits the filing with Idempotency-Key "submit-0042"
    Then the response status is 200
    Given "Shanghai Smart Campus Ltd" has a complete initial filing draft triggered 4 days ago
    When "Shanghai Smart Campus Ltd" submits the filing with Idempotency-Key "submit-0042"
    Then the response status is 422
    And the problem code is "idempotency.key_reused"
    When "Shanghai Smart Campus Ltd" looks at the filing
    Then the filing's status is still "draft"

  Scenario: A change filing (变更备案) against the recorded filing
    Given "Shanghai Smart Campus Ltd" has submitted a complete initial filing triggered 40 days ago
    And "Wang" is a reviewer at the provincial CAC office of 310000
    And "Wang" has recorded the filing
    When "Shanghai Smart Campus Ltd" starts a complete change filing of the recorded filing triggered 3 days ago
    Then the filing is a change filing of the recorded filing
    And the filing's status is "draft"
    When "Shanghai Smart Campus Ltd" submits the filing
    Then the response status is 200
    And the filing's status is "submitted"
    And the filing is not late
    When "Wang" opens the review queue
    Then the queue contains the filing

  Scenario: A change filing must act on a recorded filing
    Given "Shanghai Smart Campus Ltd" has submitted a complete initial filing triggered 5 days ago
    When "Shanghai Smart Campus Ltd" tries to start a change filing of the filing
    Then the response status is 422
    And the problem code is "filing.invalid_previous"
    And the problem lists errors at these paths:
      | path               | code      |
      | previous_filing_id | not_filed |

  Scenario: Deregistration (注销备案) against the recorded filing
    Given "Shanghai Smart Campus Ltd" has submitted a complete initial filing triggered 60 days ago
    And "Wang" is a reviewer at the provincial CAC office of 310000
    And "Wang" has recorded the filing
    When "Shanghai Smart Campus Ltd" starts a complete deregistration filing of the recorded filing triggered 2 days ago
    Then the filing is a deregistration filing of the recorded filing
    And the filing has 3 attachments
    When "Shanghai Smart Campus Ltd" submits the filing
    Then the response status is 200
    And the filing's status is "submitted"
    When "Wang" records the filing
    Then the response status is 200
    And a filing number matching "^310000-\d{4}-\d{6}$" is issued
