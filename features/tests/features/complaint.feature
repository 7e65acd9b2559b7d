@complaint
Feature: Complaints and reports from the public (投诉举报, Art. 17)
  Anyone may complain about or report illegal face-recognition processing, with or without an
  account. The portal answers a receipt number and an access code shown once, with which the
  complainant follows the complaint. The office of the processor's province handles it, and a
  complaint that is not anonymous cannot be closed until the reply has been delivered. The
  complainant's contact is seen only by the staff handling the complaint.

  Background:
    Given the platform is running
    And "Zhou" is a complaint handler at the provincial CAC office of 310000
    And "Zhao" is a supervisor at the provincial CAC office of 310000
    And processor "Jing'an Smart Gate Ltd" is registered in province 310000

  Scenario: An anonymous report is taken, says plainly it gets no reply, and closes without one
    When someone reports "Jing'an Smart Gate Ltd" anonymously: "小区门禁强制刷脸，无其他方式。"
    Then the response status is 201
    And the receipt number starts with "TS-310000-"
    And the access code is given once, in four groups of four
    And the receipt says plainly that no reply can be sent
    And "Zhou" sees no contact on the complaint
    When "Zhou" takes the complaint through to the result "已约谈物业，增设其他通行方式。"
    And "Zhou" tries to reply "已处理。"
    Then the response status is 409
    And the problem code is "complaint.illegal_step"
    When "Zhou" closes the complaint
    Then the response status is 200
    And "Zhou" sees the complaint "closed"

  Scenario: Bad input lists every problem at once
    When someone files a complaint with these problems:
      | field       | value                |
      | processor   | {}                   |
      | description | " "                  |
      | location    | {600 characters}     |
      | reply.email | not-an-address       |
    Then the response status is 422
    And the problem code is "complaint.invalid"
    And the problem lists errors at these paths:
      | path        |
      | processor   |
      | description |
      | location    |
      | reply.email |

  Scenario: The right access code shows the status, a wrong one looks like an unknown receipt, and repeated wrong codes wait
    Given "Li Si" has complained about "Jing'an Smart Gate Ltd" with a reply by mail
    When "Li Si" looks up the complaint with its receipt number and access code
    Then the lookup shows the status "received"
    And the lookup shows no reply yet
    When someone looks up the complaint with a wrong access code
    And someone looks up a receipt number that was never issued
    Then the response status is 404
    And the problem code is "complaint.not_found"
    And the wrong code and the unknown receipt got the same answer
    When someone looks up the complaint with a wrong access code 4 times
    And "Li Si" looks up the complaint with its receipt number and access code
    Then the response status is 429
    And the problem code is "complaint.too_many_attempts"
    And the answer says to retry after some seconds

  Scenario: A complaint cannot be closed before its reply is delivered
    Given "Li Si" has complained about "Jing'an Smart Gate Ltd" with a reply by mail
    When "Zhou" takes the complaint through to the result "经核查，该商场已设置提示标识。"
    And "Zhou" closes the complaint
    Then the response status is 409
    And the problem code is "complaint.reply_required"
    And "Zhou" sees the complaint still "result_decided"
    When "Zhou" replies "经核查，该商场已设置提示标识。"
    And "Zhou" closes the complaint
    Then the response status is 409
    And the problem code is "complaint.reply_required"
    And "Zhou" sees the complaint "reply_sent"

  # Nobody checks that a mail address belongs to whoever gives it: a repeat is linked for the
  # staff, and whoever filed it learns nothing of the earlier complaint.
  Scenario: A repeat from the same contact about the same processor is linked for the staff only
    Given "Li Si" has complained about "Jing'an Smart Gate Ltd" with a reply by mail
    When "Li Si" complains again about "Jing'an Smart Gate Ltd" with a reply by mail
    Then the response status is 201
    And the answer has status = "received"
    And the answer says nothing of the first complaint
    And "Zhou" sees the second complaint linked to the first
    When "Li Si" looks up the second complaint with its receipt number and access code
    Then the lookup shows the second complaint alone
    And the lookup shows the status "received"

  Scenario: Only the staff handling a complaint see the complainant's contact, and another province sees nothing
    Given "Qian" is a complaint handler at the provincial CAC office of 110000
    And "Li Si" has complained about "Jing'an Smart Gate Ltd" with a reply by mail
    Then "Qian" cannot see the complaint
    And "Zhou" finds the complaint in the queue without its contact
    And "Zhou" sees the complainant's contact masked
    And "Zhao" sees the complainant's contact in full
    When "Zhao" accepts the complaint
    And "Zhao" assigns the complaint to "Zhou"
    Then "Zhou" sees the complainant's contact in full
    And "Qian" cannot see the complaint
    And the complaint's audit trail seen by "Zhao" includes:
      | action                     |
      | complaint.received         |
      | complaint.contact_viewed   |
      | complaint.assigned         |
