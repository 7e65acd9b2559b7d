@mail @needs-mail
Feature: Mail to processors (邮件通知)
  Every decision and every submission is told to the processor by mail, at the contact address
  it registered, in Chinese unless it chose English. The mail is written to the outbox in the
  same transaction as the change that causes it and sent by the worker over SMTP, never from
  the request: if the relay is down, the mail waits and is retried, and none is lost or sent
  twice.

  Background:
    Given the platform is running with mail delivered over SMTP
    And processor "Shanghai Smart Campus Ltd" is registered in province 310000
    And "Wang" is a reviewer at the provincial CAC office of 310000
    And "Shanghai Smart Campus Ltd" has submitted a complete initial filing triggered 3 days ago

  # The scenario runs the worker itself, to see that the request sent nothing.
  @in-process
  Scenario: A receipt (回执) for the submission, sent by the worker rather than the request
    Then no mail has arrived yet
    When the worker sends the outbox
    Then "Shanghai Smart Campus Ltd" has received 1 mail
    And its subject contains "已收到您的首次备案申请"
    And it is UTF-8 text with an encoded subject and a Message-ID of its own

  Scenario: Returned for correction (退回补正): the reasons and the correction time limit
    When "Wang" returns the filing for correction with these reasons:
      | path                  | message                                              |
      | storage.people_stored | The number of people stored differs from the PIPIA. |
      |                       | 承诺书需加盖公章                                      |
    And the worker sends the outbox
    Then the latest mail to "Shanghai Smart Campus Ltd" has a subject containing "退回补正"
    And its text contains "[storage.people_stored] The number of people stored differs from the PIPIA."
    And its text contains "承诺书需加盖公章"
    And its text gives the correction due date

  Scenario: Recorded (已备案): the filing number
    When "Wang" records the filing
    And the worker sends the outbox
    Then "Shanghai Smart Campus Ltd" has received 2 mails
    And the latest mail to "Shanghai Smart Campus Ltd" has a subject containing "备案完成"
    And its subject contains the filing number issued

  Scenario: Refused (不予备案): the reasons
    When "Wang" sends POST /api/v1/filings/{filing}/refuse with the body {"reasons": [{"path": null, "message": "存储人数未达到十万人"}]}
    And the worker sends the outbox
    Then the latest mail to "Shanghai Smart Campus Ltd" has a subject containing "不予备案"
    And its text contains "存储人数未达到十万人"

  # The scenario stops and restarts its own relay.
  @in-process
  Scenario: The relay is down: the mail waits and none is lost
    Given the mail relay is down
    When the worker sends the outbox
    Then no mail has arrived yet
    And 1 message waits in the outbox for another attempt
    When the mail relay is back
    And the worker sends the outbox after the retry wait
    Then "Shanghai Smart Campus Ltd" has received 1 mail
