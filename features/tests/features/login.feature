@login
Feature: Logging in and out (登录与退出)
  Users log in with email and password and get a bearer token. Logging out ends the session
  at once. Repeated wrong passwords lock the account for a while, so passwords cannot be
  guessed.

  Background:
    Given the platform is running
    And processor "Acme Face Ltd" is registered in province 310000

  @smoke
  Scenario: A processor's admin logs in, sees who they are and logs out
    When the admin of "Acme Face Ltd" logs in to the portal with the right password
    Then the response status is 200
    And a bearer token is returned
    When they ask the portal who they are
    Then the response status is 200
    And the answer names the org_admin of "Acme Face Ltd"
    When they log out
    Then the response status is 204
    When they ask the portal who they are
    Then the response status is 401
    And the problem code is "auth.unauthenticated"

  Scenario: A wrong password is refused
    When the admin of "Acme Face Ltd" logs in to the portal with a wrong password
    Then the response status is 401
    And the problem code is "auth.unauthenticated"

  Scenario: Casework admits only regulator staff
    When the admin of "Acme Face Ltd" logs in to casework with the right password
    Then the response status is 401
    And the problem code is "auth.unauthenticated"

  Scenario: Five wrong passwords from one address hold that address back, even with the right password
    When the admin of "Acme Face Ltd" logs in to the portal with a wrong password 4 times
    Then every one of those attempts answered 401
    When the admin of "Acme Face Ltd" logs in to the portal with a wrong password
    Then the response status is 429
    And the problem code is "auth.too_many_attempts"
    And the answer says to retry after some seconds
    When the admin of "Acme Face Ltd" logs in to the portal with the right password
    Then the response status is 429
    And the problem code is "auth.too_many_attempts"

  Scenario: An unknown account is answered exactly like a real one
    When someone logs in to the portal as "nobody-{unique}@unknown.example" 4 times
    Then every one of those attempts answered 401
    When someone logs in to the portal as "nobody-{unique}@unknown.example"
    Then the response status is 429
    And the problem code is "auth.too_many_attempts"
    And the answer says to retry after some seconds

  Scenario: The portal tells nothing about staff accounts
    Given "Wang" is a reviewer at the provincial CAC office of 310000
    When a processor registers in the portal with the email of "Wang"
    Then the response status is 202
    When someone logs in to casework with the email and password of "Wang"
    Then the response status is 200
    And the answer is a token for staff

  Scenario: A request without a token is refused
    When anyone asks the portal for "/api/v1/filings" without a token
    Then the response status is 401
    And the problem code is "auth.unauthenticated"

  Scenario: A token opens only the service it was issued by
    Given "Wang" is a reviewer at the provincial CAC office of 310000
    When "Wang" presents their token to the portal at "/api/v1/me"
    Then the response status is 401
    When "Acme Face Ltd" presents their token to casework at "/api/v1/me"
    Then the response status is 401
    When "Acme Face Ltd" presents their token to the portal at "/api/v1/me"
    Then the response status is 200
    And the answer names the org_admin of "Acme Face Ltd"
