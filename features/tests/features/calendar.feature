@calendar
Feature: Working-day calendar (工作日)
  Statutory periods of the Measures are counted in working days: Monday to Friday, minus the
  statutory holidays, plus the make-up working days (调休上班) the State Council publishes.
  The day of the event itself is not counted (Civil Code Art. 201). Anyone may ask the portal
  for a due date, without logging in.

  Background:
    Given the platform is running

  @smoke
  Scenario: The first filing deadline of the Measures falls on 2025-07-14
    When anyone asks for the date 30 working days after 2025-06-01
    Then the response status is 200
    And the due date is 2025-07-14
    And the due date is not provisional
    And the calendar versions used are "CN-2025.1"

  Scenario: A period across the 2026 Spring Festival (春节) counts the make-up Saturdays
    When anyone asks for the date 30 working days after 2026-01-20
    Then the response status is 200
    And the due date is 2026-03-09
    And 2026-02-14 is counted as a working day
    And 2026-02-28 is counted as a working day
    And every day from 2026-02-15 to 2026-02-23 is skipped as the holiday "春节"
    And 9 days are skipped as holidays and 9 as weekends
    And the due date is not provisional
    And the calendar versions used are "CN-2026.1"

  Scenario: A period running into 2027, whose arrangement is not published yet, is provisional
    When anyone asks for the date 30 working days after 2026-12-20
    Then the response status is 200
    And the due date is 2027-02-01
    And the due date is provisional
    And the calendar versions used are "CN-2026.1"
    And every day from 2027-01-01 to 2027-01-01 is skipped as the holiday "元旦"

  Scenario: A period wholly in 2027 skips the statutory holidays fixed by law and is provisional
    When anyone asks for the date 3 working days after 2027-02-04
    Then the response status is 200
    And the due date is 2027-02-11
    And the due date is provisional
    And the calendar versions used are ""
    And every day from 2027-02-05 to 2027-02-08 is skipped as the holiday "春节"

  Scenario Outline: Bad input is refused with a problem code (<why>)
    When anyone asks for the date <days> working days after <from>
    Then the response status is 400
    And the problem code is "<code>"

    Examples:
      | why                  | from       | days  | code                          |
      | no working days      | 2025-06-01 | 0     | calendar.invalid_working_days |
      | more than ten years  | 2025-06-01 | 3651  | calendar.invalid_working_days |
      | a count that is text | 2025-06-01 | thirty | calendar.invalid_working_days |
      | not a date           | tomorrow   | 30    | calendar.invalid_date         |
      | no such day          | 2026-02-30 | 30    | calendar.invalid_date         |
