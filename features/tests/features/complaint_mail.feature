@complaint @needs-mail
Feature: What the complainant is told, and the sweep over a complaint's time limits
  The complainant is mailed the receipt, any transfer out of the office's remit with its
  reason, and the reply the office must give (Art. 17); the public lookup then shows the reply.
  The daily sweep reminds the office before the time limit to decide acceptance and, once it
  has passed, alerts the province's supervisors (督办), once.

  Background:
    Given the platform is running with mail delivered over SMTP
    And "Zhou" is a complaint handler at the provincial CAC office of 310000
    And "Zhao" is a supervisor at the provincial CAC office of 310000
    And processor "Jing'an Smart Gate Ltd" is registered in province 310000

  Scenario: The reply reaches the complainant over SMTP, and the public lookup shows it
    When "Li Si" complains about "Jing'an Smart Gate Ltd" with a reply by mail
    And the worker sends the outbox
    Then "Li Si" has received 1 mail
    And its subject contains "已登记"
    And its text contains the receipt number
    When "Zhou" takes the complaint through to the result "经核查属实，已责令该商场改正。"
    And "Zhou" replies "您反映的问题经核查属实，已责令该商场改正。"
    And the worker sends the outbox
    Then the latest mail to "Li Si" has a subject containing "办理结果答复"
    And its text contains "已责令该商场改正"
    When "Li Si" looks up the complaint with its receipt number and access code
    Then the lookup shows the status "reply_sent"
    And the lookup shows the reply "已责令该商场改正"
    When "Zhou" closes the complaint
    Then the response status is 200
    When "Li Si" looks up the complaint with its receipt number and access code
    Then the lookup shows the status "closed"

  Scenario: A complaint outside the office's remit is transferred, and the complainant is told why
    Given "Qian" is a complaint handler at the provincial CAC office of 110000
    When "Li Si" complains about "某北京科技公司" located in 310000 with a reply by mail
    And "Zhou" transfers the complaint to province 110000 because "被投诉单位位于北京市"
    Then "Zhou" cannot see the complaint
    And "Qian" sees the complaint "received"
    And "Qian" sees the complainant's contact masked
    When the worker sends the outbox
    Then the latest mail to "Li Si" has a subject containing "已转办"
    And its text contains "北京市网信办"
    And its text contains "被投诉单位位于北京市"
    When "Li Si" looks up the complaint with its receipt number and access code
    Then the lookup shows the status "received"

  Scenario: The time limit to decide acceptance is reminded, then escalated once
    Given today is 2026-11-02 for the scenario
    And "Li Si" has complained about "Jing'an Smart Gate Ltd" with a reply by mail
    When the deadline sweep runs 1 working day before the complaint's acceptance is due
    And the worker sends the outbox
    Then the latest mail to "Zhou" has a subject containing "还剩1个工作日"
    And its text contains "受理期限"
    When the deadline sweep runs the day after the complaint's acceptance was due
    Then 1 escalation is recorded
    And "Zhou" sees the complaint's acceptance marked overdue
    When the deadline sweep runs again on the same day
    Then the sweep queued no mail
    When the worker sends the outbox
    Then the latest mail to "Zhao" has a subject containing "超期督办"
    And the complaint's audit trail seen by "Zhao" includes:
      | action                         |
      | complaint.deadline_escalated   |

  Scenario: The handling is rated once, only after the reply, and a 不满意 goes before the supervisors
    When "Li Si" complains about "Jing'an Smart Gate Ltd" with a reply by mail
    And "Li Si" rates the handling "satisfied"
    Then the response status is 409
    And the problem code is "complaint.not_replied"
    When "Zhou" takes the complaint through to the result "经核查，该商场已设置提示标识。"
    And "Zhou" replies "经核查，该商场已设置提示标识。"
    And the worker sends the outbox
    And "Li Si" rates the handling "so-so"
    Then the response status is 422
    And the problem code is "complaint.invalid"
    When "Li Si" rates the handling "dissatisfied" saying "仍然只能刷脸进入。"
    Then the response status is 200
    And "Zhao" finds the complaint among those rated dissatisfied
    When "Li Si" rates the handling "satisfied"
    Then the response status is 409
    And the problem code is "complaint.already_rated"
    When the worker sends the outbox
    Then the latest mail to "Zhao" has a subject containing "回访不满意"
    And the complaint's audit trail seen by "Zhao" includes:
      | action             |
      | complaint.rated    |
