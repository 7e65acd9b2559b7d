@inspection @needs-mail
Feature: What the inspected processor is told, and the sweep over inspection time limits
  The processor is told by mail at each step it must act on: the notice of inspection, each
  document request and rectification order with its time limit, and the closing. The daily
  sweep reminds it before a time limit and, once one has passed, tells it and alerts the
  inspectors (督办), once.

  Background:
    Given the platform is running with mail delivered over SMTP
    And "Zhao" is a supervisor at the provincial CAC office of 310000
    And "Li" is an inspector at the provincial CAC office of 310000
    And "Chen" is an inspector at the provincial CAC office of 310000
    And processor "Jing'an Smart Gate Ltd" is registered in province 310000
    And today is 2026-11-02 for the scenario
    And "Zhao" has opened an inspection of "Jing'an Smart Gate Ltd" with "Li" and "Chen"

  Scenario: The processor's mail at each step, read over SMTP
    When "Li" sends the notice of inspection "11月4日上午现场检查。"
    And the worker sends the outbox
    Then "Jing'an Smart Gate Ltd" has received 1 mail
    And its subject contains "检查通知"
    And its text contains "11月4日上午现场检查。"
    When "Li" starts the inspection
    And "Li" requests "人脸识别系统访问日志" within 5 working days
    And the worker sends the outbox
    Then the latest mail to "Jing'an Smart Gate Ltd" has a subject containing "请于2026年11月9日前提交材料"
    And its text contains "人脸识别系统访问日志"
    When "Li" records the findings "未开展安全审计" with the problem "未按要求开展安全审计"
    And "Li" orders rectification "开展安全审计并报告" within 10 working days
    And the worker sends the outbox
    Then the latest mail to "Jing'an Smart Gate Ltd" has a subject containing "责令改正：请于2026年11月16日前完成整改"
    When "Jing'an Smart Gate Ltd" reports the rectification "已完成安全审计。" in the portal
    And "Li" verifies the rectification as done
    And "Li" closes the inspection with the result "发现问题已整改"
    And the worker sends the outbox
    Then "Jing'an Smart Gate Ltd" has received 4 mails
    And the latest mail to "Jing'an Smart Gate Ltd" has a subject containing "检查结案"
    And its text contains "发现问题已整改"

  Scenario: A reminder before a request's time limit, and an overdue escalation once
    Given "Li" has notified the processor and started the inspection
    When "Li" requests "人脸识别系统访问日志" within 5 working days
    And the deadline sweep runs 1 working day before the request is due
    Then the sweep queued 1 mail
    When the worker sends the outbox
    Then the latest mail to "Jing'an Smart Gate Ltd" has a subject containing "还剩1个工作日"
    When the deadline sweep runs the day after the request was due
    Then 1 escalation is recorded
    And the sweep queued 3 mails
    And "Li" sees the request marked overdue
    When the deadline sweep runs again on the same day
    Then the sweep queued no mail
    When the worker sends the outbox
    Then the latest mail to "Jing'an Smart Gate Ltd" has a subject containing "期限已过"
    And "Li" has received 1 mail
    And its subject contains "期限已过"
    And "Chen" has received 1 mail
    And the inspection's audit trail seen by "Zhao" includes:
      | action                          |
      | inspection.deadline_escalated   |
