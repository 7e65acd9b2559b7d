@exchange @needs-exchange
Feature: Agencies' systems exchange notifications through the exchange service
  Another agency's system is a client of the exchange service, bound to its agency with
  scopes. Every request is signed; a revoked key and a replayed signature are refused. A
  client that follows its cursor sees every notification addressed to its agency exactly
  once, and `frtctl exchange pull` keeps that promise in a folder even when interrupted.

  Background:
    Given the platform is running
    And "Zhao" is a supervisor at the provincial CAC office of 310000
    And "Wu" is an inspector at the public security organ of 310000
    And the agency of "Wu" has an exchange client "police system" with the scopes notifications:read,notifications:write

  Scenario: A client syncs with its cursor while new notifications arrive
    When "Zhao" sends 2 notifications to the agency of "Wu"
    And the exchange client "police system" syncs from its cursor
    Then the sync brought the first 2 notifications, each once
    When "Zhao" sends 1 notification to the agency of "Wu"
    And the exchange client "police system" syncs from its cursor
    Then the sync brought only the last 1 notification
    When the exchange client "police system" syncs from its cursor
    Then the sync brought nothing new

  Scenario: A revoked key is refused at once
    When the exchange client "police system" asks for its notifications
    Then the response status is 200
    When the exchange client "police system" is revoked
    And the exchange client "police system" asks for its notifications
    Then the response status is 401
    And the problem code is "exchange.unknown_key"

  Scenario: A replayed signature is refused
    When the exchange client "police system" sends the same signed request twice
    Then the response status is 401
    And the problem code is "exchange.replayed"

  Scenario: A push retried with its Idempotency-Key is sent once
    When the exchange client "police system" pushes a feedback to the agency of "Zhao" with the Idempotency-Key "push-1"
    And the exchange client "police system" pushes a feedback to the agency of "Zhao" with the Idempotency-Key "push-1" again
    Then both pushes answered 201 with the same notification
    And "Zhao" received the pushed feedback once

  Scenario: frtctl exchange pull interrupted and run again writes nothing twice
    When "Zhao" sends 5 notifications to the agency of "Wu"
    And the agency runs frtctl exchange pull as "police system" until the notifications are in
    And the pull is interrupted after writing its files but before keeping its cursor
    And the agency runs frtctl exchange pull as "police system" again
    Then the folder holds each of the scenario's notifications exactly once

  Scenario: frtctl exchange pull killed at random points, again and again, keeps each notification once
    When "Zhao" sends 6 notifications to the agency of "Wu"
    And the agency runs frtctl exchange pull as "police system", killed at a random point, 30 times
    And the agency runs frtctl exchange pull as "police system" until the notifications are in
    Then the folder holds each of the scenario's notifications exactly once
