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

  Scenario: A NUL character is refused at the edge and nothing is stored
    Given the platform is running
    And processor "Acme Face Ltd" is registered in province 310000
    When "Acme Face Ltd" sends POST /api/v1/filings with the body {"kind": "initial", "form": {"basic": {"processor_name": "Acme\u0000"}}}
    Then the response status is 422
    And the problem code is "request.nul_character"
    When "Acme Face Ltd" sends GET /api/v1/filings?status=%00
    Then the response status is 400
    And the problem code is "request.nul_character"
    When "Acme Face Ltd" sends GET /api/v1/filings
    Then the response status is 200
    And the answer has total = 0

  Scenario: A body must say it is JSON (415)
    Given the platform is running
    And processor "Acme Face Ltd" is registered in province 310000
    When "Acme Face Ltd" sends POST /api/v1/filings with the body {"kind": "initial"} as "text/plain"
    Then the response status is 415
    And the problem code is "request.content_type"

  @smoke
  Scenario: An unknown method on a known address is 405 with the methods that are served
    Given the platform is running
    And processor "Acme Face Ltd" is registered in province 310000
    When "Acme Face Ltd" sends TRACE /api/v1/filings
    Then the response status is 405
    And the problem code is "request.method_not_allowed"
    And the answer allows "GET, POST"
    And the answer carries the security headers

  Scenario Outline: Far-out values are refused, naming the parameter (<why>)
    Given the platform is running
    And "Wang" is a reviewer at the provincial CAC office of 310000
    When "Wang" sends GET <path>
    Then the response status is 400
    And the problem code is "<code>"

    Examples:
      | why                         | path                                                       | code                  |
      | a date 250,000 years ago    | /api/v1/review/queue?submitted_from=-250000-01-01          | request.invalid_date  |
      | a date past the year 2999   | /api/v1/review/queue?submitted_to=9999-12-31               | request.invalid_date  |
      | a cursor from far out       | /api/v1/review/queue?after=d-250000-01-01_0196a000-0000-7000-8000-000000000000 | request.invalid_cursor |
      | the smallest 32-bit version | /api/v1/filings/0196a000-0000-7000-8000-000000000000/versions/diff?to=-2147483648 | request.out_of_range |

  Scenario: Every answer carries the security headers, the refusals too
    Given the platform is running
    When anyone asks the portal for "/api/v1/filings" without a token
    Then the response status is 401
    And the answer carries the security headers

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

  # The scenario configures its own upload limit.
  @in-process
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
