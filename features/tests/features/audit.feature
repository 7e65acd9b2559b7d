@audit
Feature: Tamper-evident audit trail (审计日志)
  Every change, and every download of a processor's materials, is written to the audit log in
  the same transaction as the change. The log is append-only: the application's database role
  can neither change nor remove a row. When a transaction commits, each of its rows is sealed
  into a hash chain (each row carries the hash of the one before it), so an edit made directly
  in the database by someone who can switch the guard off is still found by walking the chain
  (`frtctl audit verify`).

  Background:
    Given the platform is running
    And processor "Shanghai Smart Campus Ltd" is registered in province 310000
    And "Wang" is a reviewer at the provincial CAC office of 310000
    And "Shanghai Smart Campus Ltd" has submitted a complete initial filing triggered 3 days ago

  # These walk and tamper with the database itself, so they run in-process only.
  @in-process
  Scenario: The chain of an untouched log is intact
    When "Wang" records the filing
    And the audit chain is verified
    Then the audit chain is intact

  @in-process
  Scenario: A row edited directly in SQL is caught at its place in the chain
    Given "Wang" has recorded the filing
    When someone with control of the database edits the "filing.recorded" audit row of the filing
    And the audit chain is verified
    Then the audit chain is broken at the row that was edited

  @in-process
  Scenario Outline: The application's database role cannot <verb> an audit row
    When the application's database role tries to <verb> the "filing.submitted" audit row of the filing
    Then the database refuses because the audit log is append-only
    When the audit chain is verified
    Then the audit chain is intact

    Examples:
      | verb   |
      | update |
      | delete |

  @smoke
  Scenario: Staff read a filing's trail, downloads of its materials included
    When "Wang" downloads the first material of the filing
    Then the response status is 200
    When "Wang" reads the audit trail of the filing
    Then the trail includes "filing.submitted"
    And the trail includes "attachment.downloaded"
    And every entry of the trail carries its place and hash in the chain
