@inspection
Feature: Inspections (监督检查, Art. 16): random draws, joint inspections, rectification
  The provincial CAC office inspects processors and processors must cooperate. Targets and
  inspectors are drawn at random (双随机) from the registered processors and the eligible
  inspectors, leaving out declared conflicts of interest (回避); every draw is recorded with
  its algorithm, seed and pools, never changed, and anyone with access can re-run it. An
  inspection goes from the notice to the processor through document requests, findings and a
  rectification order (责令改正) with a time limit in working days, to verification and
  closing; the outcome is published (一公开) without personal data. A public security organ
  invited to a joint inspection (会同) sees that inspection and no other.

  Background:
    Given the platform is running
    And "Zhao" is a supervisor at the provincial CAC office of 310000
    And "Li" is an inspector at the provincial CAC office of 310000
    And "Chen" is an inspector at the provincial CAC office of 310000
    And processor "Shanghai Face Pay Ltd" is registered in province 310000
    And "Zhao" has made the inspection plan "2026年第四季度双随机抽查" for 310000

  @smoke
  Scenario: A draw made with a given seed is recorded and re-run from its record
    When "Zhao" draws 1 processor and 2 inspectors in 310000 with the seed "5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed5eed"
    Then the response status is 201
    And the draw records its algorithm "fisher-yates/sha256-counter/v1", its seed and the SHA-256 of its pool
    And re-running the algorithm on the recorded pool and seed draws the same processors
    When "Zhao" verifies the draw
    Then the draw matches its record

  Scenario: A draw larger than its pool is refused
    When "Zhao" asks to draw 1 more processor than 310000 has registered
    Then the response status is 422
    And the problem code is "inspection.pool_too_small"
    And the problem's detail mentions "cannot be drawn from a pool of"

  Scenario: An inspector with a declared conflict of interest (回避) is left out of the draw
    When "Li" declares a conflict of interest with "Shanghai Face Pay Ltd" because "曾在该公司任职"
    And "Zhao" draws every processor of 310000 and 1 inspector
    Then the draw picked "Shanghai Face Pay Ltd"
    And "Li" is not in the draw's staff pool
    And "Chen" is in the draw's staff pool

  Scenario: A supervisor of another province finds no plan of this one to draw for
    Given "Qian" is a supervisor at the provincial CAC office of 110000
    When "Qian" asks to draw 1 processor for the plan of "Zhao"
    Then the response status is 404

  Scenario: A drawn processor is inspected by the drawn inspectors unless a reason for others is recorded
    Given "Wang" is an inspector at the provincial CAC office of 310000
    When "Zhao" draws every processor of 310000 and 2 inspectors
    And "Zhao" opens an inspection of "Shanghai Face Pay Ltd" from the draw, one drawn inspector replaced by one it left out
    Then the response status is 422
    And the problem lists errors at these paths:
      | path        |
      | swap_reason |
    When "Zhao" opens an inspection of "Shanghai Face Pay Ltd" from the draw, one drawn inspector replaced by one it left out, because "检查员病假"
    Then the response status is 201
    And the inspection's audit trail seen by "Zhao" includes:
      | action                        |
      | inspection.planned            |
      | inspection.inspectors_swapped |

  Scenario: Inspectors go at least two together (双人执法)
    When "Zhao" opens an inspection of "Shanghai Face Pay Ltd" with only "Li"
    Then the response status is 422
    And the problem lists errors at these paths:
      | path          |
      | inspector_ids |

  Scenario: A joint inspection (会同) is seen by the invited public security organ only
    Given "Sun" is an inspector at the public security organ of 310000
    And "Qian" is an inspector at the provincial CAC office of 110000
    And "Zhao" has opened an inspection of "Shanghai Face Pay Ltd" with "Li" and "Chen"
    And "Zhao" has opened another inspection of "Shanghai Face Pay Ltd" with "Li" and "Chen"
    When "Zhao" invites the agency of "Sun" to the inspection
    Then "Sun" can see the inspection
    But "Sun" cannot see the other inspection
    And "Qian" cannot see the inspection
    And "Li" can see the other inspection
    When "Sun" sends POST /api/v1/inspections/{inspection}/start with the body {"version": 1}
    Then the response status is 403

  Scenario: A full rectification cycle whose time limit crosses the National Day holiday
    Given today is 2026-09-28 for the scenario
    And "Zhao" has opened an inspection of "Shanghai Face Pay Ltd" with "Li" and "Chen"
    When "Li" sends the notice of inspection "9月29日上午现场检查，请准备门禁系统日志。"
    And "Li" starts the inspection
    And "Li" records the findings "人脸数据保存期限过长" with the problem "离职人员人脸数据未删除"
    And "Li" orders rectification "删除离职人员人脸数据" within 5 working days
    Then the inspection's status is "rectification_ordered"
    # 09-29 and 09-30, then 10-01 to 10-07 off, 10-08, 10-09 and the make-up Saturday 10-10.
    And "Shanghai Face Pay Ltd" sees the rectification due on 2026-10-10
    When "Shanghai Face Pay Ltd" reports the rectification "已删除，附删除记录。" in the portal
    Then the inspection's status is "rectification_reported"
    When "Li" verifies the rectification as done
    And "Li" closes the inspection with the result "发现问题已整改"
    Then the inspection's status is "closed"
    And the published outcomes of 310000 list the inspection as rectified
    And the inspection's audit trail seen by "Zhao" includes:
      | action                             |
      | inspection.planned                 |
      | inspection.notified                |
      | inspection.findings_recorded       |
      | inspection.rectification_ordered   |
      | inspection.rectification_reported  |
      | inspection.rectification_verified  |
      | inspection.closed                  |

  Scenario: A document request (调取材料) answered in the portal with a material
    Given "Zhao" has opened an inspection of "Shanghai Face Pay Ltd" with "Li" and "Chen"
    And "Li" has notified the processor and started the inspection
    When "Li" requests "最近三个月的门禁日志" within 5 working days
    Then "Shanghai Face Pay Ltd" sees the request open
    When "Shanghai Face Pay Ltd" gives the PDF "门禁日志.pdf" for the request in the portal
    And "Shanghai Face Pay Ltd" answers the request "日志已上传。" in the portal
    Then "Li" sees the request answered with 1 material
    And "Li" downloads the material and gets the PDF as given
    And the inspection's audit trail seen by "Zhao" includes:
      | action                          |
      | inspection.documents_requested  |
      | inspection.material_given       |
      | inspection.documents_given      |
      | inspection.material_downloaded  |

  Scenario: Risk targets and the processor's page
    When "Zhao" asks for the risk targets of 310000
    Then "Shanghai Face Pay Ltd" is among them because it "never_filed"
    Given "Zhao" has opened an inspection of "Shanghai Face Pay Ltd" with "Li" and "Chen"
    When "Zhao" opens the page of "Shanghai Face Pay Ltd"
    Then the page lists the inspection
    And the page's latest event is "inspection.planned"
