@sweep @needs-mail
Feature: Deadline sweep: reminders, overdue marks and escalation (期限提醒与督办)
  Once a day (and on demand with `frtctl sweep`) the worker looks at every open deadline. It
  reminds the processor 5 and 1 working days before its correction time limit, and the
  assigned reviewer before the review time limit; once a deadline has passed it marks it
  overdue, tells the processor, and escalates an overdue review to the province's supervisors.
  Running the sweep twice, or on two workers at once, does nothing twice.

  Background:
    Given the platform is running with mail delivered over SMTP
    And processor "Shanghai Smart Campus Ltd" is registered in province 310000
    And "Wang" is a reviewer at the provincial CAC office of 310000
    And "Zhao" is a supervisor at the provincial CAC office of 310000
    And "Shanghai Smart Campus Ltd" has submitted a complete initial filing triggered 3 days ago

  Scenario: The processor is reminded before its correction time limit and told when it passed
    When "Wang" returns the filing for correction with these reasons:
      | path | message                            |
      |      | Please seal the commitment letter. |
    And the deadline sweep runs 5 working days before the correction is due
    Then the sweep queued 1 mail
    When the deadline sweep runs again on the same day
    Then the sweep queued no mail
    When the deadline sweep runs 1 working day before the correction is due
    Then the sweep queued 1 mail
    When the worker sends the outbox
    Then "Shanghai Smart Campus Ltd" has received 4 mails
    And the latest mail to "Shanghai Smart Campus Ltd" has a subject containing "还剩1个工作日"
    When the deadline sweep runs the day after the correction was due
    Then the filing's correction deadline is marked overdue
    When the worker sends the outbox
    Then the latest mail to "Shanghai Smart Campus Ltd" has a subject containing "补正期限已过"

  Scenario: The assigned reviewer is reminded of the review time limit
    When "Wang" takes the filing
    And the deadline sweep runs 1 working day before the review is due
    And the worker sends the outbox
    Then the latest mail to "Wang" has a subject containing "审核期限提醒"

  Scenario: An overdue review is escalated to the supervisor once, even by two workers at once
    When two workers run the deadline sweep at once the day after the review was due
    Then 1 escalation is recorded
    And the sweep queued 1 mail
    And the filing's review deadline is marked overdue
    When the deadline sweep runs again on the same day
    Then the sweep queued no mail
    When the worker sends the outbox
    Then "Zhao" has received 1 mail
    And its subject contains "审核超期，请督办"
    And "Zhao" sees the "filing.review_escalated" entry in the filing's audit trail
