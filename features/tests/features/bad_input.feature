@bad_input
Feature: Bad input is refused clearly (problem+json)
  Every refusal is an RFC 9457 problem with a stable code, so a client can tell what to fix.
  Materials are checked by their content, not by the name or type the client claims.

  Scenario Outline: A body that is not the expected JSON answers 400 (<why>)
    Given the platform is running
    And processor "Acme Face Ltd" is registered in province 310000
    When "Acme Face Ltd" sends POST /api/v1/filings with the body <body>
    Then the response status is 400
    And the problem code is "<code>"

    Examples:
      | why                      | body                                                           | code                   |
      | malformed JSON           | {"kind": "initial",                                            | request.malformed_json |
      | not JSON at all          | kind=initial                                                   | request.malformed_json |
      | an unknown field         | {"kind": "initial", "colour": "blue"}                          | request.invalid_field  |
      | a misspelt form field    | {"kind": "initial", "form": {"basic": {"procesor_name": "x"}}} | request.invalid_field  |
      | an unknown filing kind   | {"kind": "renewal"}                                            | request.invalid_field  |

  Scenario: An id that is not a UUID is not found
    Given the platform is running
    And processor "Acme Face Ltd" is registered in province 310000
    And "Wang" is a reviewer at the provincial CAC office of 310000
    When "Acme Face Ltd" sends GET /api/v1/filings/not-a-uuid
    Then the response status is 404
    And the problem code is "not_found"
    When "Wang" sends GET /api/v1/filings/12345
    Then the response status is 404
    And the problem code is "not_found"
    When "Acme Face Ltd" sends GET /api/v1/filings/0196a000-0000-7000-8000-000000000000
    Then the response status is 404
    And the problem code is "not_found"

  Scenario: A material over the upload limit is refused (413)
    Given the platform is running with an upload limit of 2048 bytes
    And processor "Acme Face Ltd" is registered in province 310000
    And "Acme Face Ltd" has an initial filing draft with an empty form
    When "Acme Face Ltd" attaches a 4096-byte PDF as "pipia_report"
    Then the response status is 413
    And the problem code is "attachment.too_large"
    When "Acme Face Ltd" attaches a 2049-byte PDF as "pipia_report"
    Then the response status is 413
    When "Acme Face Ltd" attaches a 65536-byte PDF as "pipia_report"
    Then the response status is 413
    And the problem code is "attachment.too_large"
    When "Acme Face Ltd" attaches a 2048-byte PDF as "pipia_report"
    Then the response status is 201
    And the material is stored as "application/pdf" of 2048 bytes
    When "Acme Face Ltd" looks at the filing
    Then the filing has 1 attachment

  Scenario: A plain text file is not accepted as a material, whatever its name (415)
    Given the platform is running
    And processor "Acme Face Ltd" is registered in province 310000
    And "Acme Face Ltd" has an initial filing draft with an empty form
    When "Acme Face Ltd" attaches a plain text file named "commitment.pdf" as "commitment_letter"
    Then the response status is 415
    And the problem code is "attachment.unsupported_type"
    When "Acme Face Ltd" looks at the filing
    Then the filing has 0 attachments

  Scenario: An unknown kind of material is refused
    Given the platform is running
    And processor "Acme Face Ltd" is registered in province 310000
    And "Acme Face Ltd" has an initial filing draft with an empty form
    When "Acme Face Ltd" attaches a 1000-byte PDF as "birth_certificate"
    Then the response status is 422
    And the problem code is "attachment.invalid_kind"
