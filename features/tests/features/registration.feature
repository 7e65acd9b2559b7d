@registration
Feature: Registration of a processor (个人信息处理者注册)
  A personal-information processor registers itself and its first admin on the portal. It is
  identified by its Unified Social Credit Code (统一社会信用代码, USCC); the province it files
  in is derived from the code. A few real early codes fail the checksum: such a code is kept
  with a warning a reviewer sees, never silently accepted nor refused.

  A registration proves something before it counts: the admin confirms the address by a
  mailed link (until then the account cannot log in and the organisation is pending), and a
  second claim on a code already held goes to the province's reviewers as a dispute. Every
  valid registration gets the same answer, so that nobody learns from it which organisations
  and addresses are on the platform; the mail says what happened.

  Background:
    Given the platform is running

  @smoke
  Scenario: A processor registers with a valid USCC
    When "上海示例园区科技有限公司" registers in province 310000 with a valid USCC
    Then the response status is 202
    And the answer is the one every valid registration gets
    And the registration has no warnings
    And the organisation is registered in province 310000
    And the organisation's USCC is kept as sent
    And the registered organisation has province_confirmed = false
    And the registered organisation has status = "active"

  Scenario: A USCC with a wrong check character is kept, with a warning the reviewer sees
    When "Old Code Trading Ltd" registers in province 310000 with a USCC whose check character is wrong
    Then the response status is 202
    And the registration warns "uscc.checksum"
    And the organisation's USCC is flagged as failing its checksum
    Given "Old Code Trading Ltd" has submitted a complete initial filing triggered 3 days ago
    And "Wang" is a reviewer at the provincial CAC office of 310000
    When "Wang" opens the review queue
    Then the queue shows the filing's USCC checksum as failing
    When "Wang" looks at the filing
    Then the filing shows the organisation's USCC checksum as failing

  Scenario: The account works only once the address is confirmed
    When "Pending Ltd" registers in province 310000 and does not confirm the address yet
    Then the response status is 202
    When its admin logs in to the portal as "Pending Ltd"
    Then the response status is 403
    And the problem code is "auth.address_unconfirmed"

  Scenario: A second claim on a USCC goes to the province's reviewers as a dispute
    Given processor "First Ltd" is registered in province 310000
    And "Wang" is a reviewer at the provincial CAC office of 310000
    When "Second Ltd" registers with the same USCC as "First Ltd"
    Then the response status is 202
    And the answer is the one every valid registration gets
    When "Wang" lists the open registration disputes
    Then the list holds a claim by "Second Ltd" on the USCC of "First Ltd"
    When "Wang" dismisses the dispute with the note "申请人未能提供营业执照原件"
    Then the response status is 200
    When the admin of "First Ltd" logs in to the portal with the right password
    Then the response status is 200

  Scenario: An address that has an account gets the answer any registration gets
    Given processor "First Ltd" is registered in province 310000
    When someone registers "Lookalike Ltd" with the admin email of "First Ltd"
    Then the response status is 202
    And the answer is the one every valid registration gets

  Scenario: Every invalid field is listed at once
    When someone registers with these details:
      | field                        | value         |
      | organisation.name            |               |
      | organisation.uscc            | 91310000ABC   |
      | organisation.contact_person  |               |
      | organisation.contact_email   | not-an-email  |
      | organisation.contact_phone   | call me maybe |
      | admin.email                  | nobody        |
      | admin.display_name           |               |
      | admin.password               | short         |
    Then the response status is 422
    And the problem code is "registration.invalid"
    And the problem lists errors at these paths:
      | path                        | code          |
      | organisation.name           | required      |
      | organisation.uscc           | invalid_uscc  |
      | organisation.contact_person | required      |
      | organisation.contact_email  | invalid_email |
      | organisation.contact_phone  | invalid_phone |
      | admin.email                 | invalid_email |
      | admin.display_name          | required      |
      | admin.password              | weak_password |
    And the problem lists 8 errors
