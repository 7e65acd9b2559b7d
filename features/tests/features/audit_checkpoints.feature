@in-process @needs-exchange
Feature: Audit checkpoints witnessed by other agencies
  Whoever controls the database can rewrite the audit chain and recompute every hash after the
  rows they changed; the chain then walks whole. The platform signs the chain's place and head
  hash with its SM2 key every audit.checkpoint_minutes (and after each day's end) and sends it
  through the exchange to witness agencies, whose exchange job keeps it. Checked against those
  copies, the rewrite shows. These scenarios configure the platform and rewrite its database,
  so they run in-process.

  Background:
    Given the platform is running with audit checkpoints sent by the provincial CAC office of 310000 to the public security organ of 310000
    And "Wang" is a reviewer at the provincial CAC office of 310000
    And "Wu" is an inspector at the public security organ of 310000
    And the agency of "Wu" has an exchange client "police system" with the scopes notifications:read
    And processor "Shanghai Smart Campus Ltd" is registered in province 310000
    And "Shanghai Smart Campus Ltd" has submitted a complete initial filing triggered 3 days ago

  Scenario: The chain agrees with every checkpoint the police keep
    When the worker signs an audit checkpoint
    And "Wang" records the filing
    And the worker signs an audit checkpoint
    And the agency runs frtctl exchange pull as "police system" until the checkpoints are in
    And the audit chain is verified against the checkpoints the agency pulled
    Then frtctl finds the chain agrees with every witnessed checkpoint

  Scenario: A chain rewritten whole, every hash recomputed, disagrees with the checkpoint after the rewrite
    When the worker signs an audit checkpoint
    And "Wang" records the filing
    And the worker signs an audit checkpoint
    And the agency runs frtctl exchange pull as "police system" until the checkpoints are in
    And someone with control of the database rewrites the audit chain from the "filing.recorded" row of the filing on, recomputing every hash
    And the audit chain is verified
    Then the audit chain is intact
    When the audit chain is verified against the checkpoints the agency pulled
    Then frtctl names the checkpoint the rewritten chain disagrees with, and the last one it agrees with
