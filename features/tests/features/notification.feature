@notification
Feature: Notifications between agencies (通报, Art. 16)
  CAC offices, public security and other departments notify each other about processors. An
  agency sees what it sent and what was addressed to it; a restricted notification only the
  roles it names. Recipients acknowledge receipt (签收) within the working days the sender set
  and may answer with feedback (反馈). A case transfer (移送) hands the receiving unit exactly the
  records it names.

  Background:
    Given the platform is running
    And "Zhao" is a supervisor at the provincial CAC office of 310000
    And "Wu" is an inspector at the public security organ of 310000
    And "Sun" is a supervisor at the public security organ of 310000
    And "Qian" is a supervisor at the provincial CAC office of 110000
    And processor "Jing'an Smart Gate Ltd" is registered in province 310000

  Scenario: A notification is acknowledged and answered with feedback
    When "Zhao" sends a violation notice about "Jing'an Smart Gate Ltd" to the agency of "Wu" to be acknowledged within 3 working days
    Then the response status is 201
    And "Wu" finds the notification among those received, waiting for acknowledgement
    And "Qian" cannot see the notification
    When "Wu" acknowledges the notification
    Then the response status is 200
    And "Zhao" sees that the agency of "Wu" acknowledged the notification
    When "Sun" answers the notification with "已立案调查，将依法处理。"
    Then "Zhao" sees that the agency of "Wu" answered the notification with "已立案调查，将依法处理。"
    When "Wu" tries to acknowledge the notification
    Then the response status is 409
    And the problem code is "notification.already_done"
    And the notification's audit trail seen by "Sun" includes:
      | action                      |
      | notification.sent           |
      | notification.acknowledged   |
      | notification.answered       |

  Scenario: An acknowledgement not given in time is escalated once
    Given today is 2026-11-02 for the scenario
    And "Zhao" has sent a violation notice about "Jing'an Smart Gate Ltd" to the agency of "Wu" to be acknowledged within 3 working days
    When the deadline sweep runs the day after the acknowledgement was due
    Then 1 escalation is recorded
    And "Zhao" sees the acknowledgement by the agency of "Wu" marked overdue
    And the notification's audit trail seen by "Zhao" includes:
      | action                          |
      | notification.deadline_escalated |
    When the deadline sweep runs again on the same day
    Then the sweep queued no mail

  Scenario: A restricted notification is invisible to a role it does not name
    When "Zhao" sends a restricted notification to the agency of "Wu" readable only by supervisors
    Then "Wu" cannot see the notification
    And "Sun" can see the notification
    And "Zhao" can see the notification

  Scenario: A case transfer to public security opens exactly the records attached
    Given processor "Another Mall Ltd" is registered in province 310000
    And "Jing'an Smart Gate Ltd" has submitted a complete initial filing triggered 10 days ago
    And "Another Mall Ltd" has submitted a complete initial filing triggered 10 days ago
    Then "Wu" cannot open the filing of "Jing'an Smart Gate Ltd"
    When "Zhao" transfers the case of "Jing'an Smart Gate Ltd" to the agency of "Wu" with its filing
    Then "Wu" can open the filing of "Jing'an Smart Gate Ltd"
    And "Wu" cannot open the filing of "Another Mall Ltd"
