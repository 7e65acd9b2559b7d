@export
Feature: Spreadsheet exports
  Staff take the registry out as xlsx: Chinese headers, real date cells, text that could run as
  a formula written as text, and personal data masked for a role that may not see it.

  Background:
    Given the platform is running
    And processor "=SUM(1,2)门禁有限公司" is registered in province 310000
    And "=SUM(1,2)门禁有限公司" has submitted a complete initial filing triggered 10 days ago
    And "Wang" is a reviewer at the provincial CAC office of 310000
    And "Wang" has recorded the filing

  Scenario: The registry export is opened and checked cell by cell
    Given "Zhao" is a supervisor at the provincial CAC office of 310000
    When "Zhao" exports the registry
    Then the response status is 200
    And the export's row for "=SUM(1,2)门禁有限公司" holds:
      | column   | value                                                   |
      | 单位名称 | =SUM(1,2)门禁有限公司 |
      | 所在省份 | 上海市                                                  |
      | 备案状态 | 已备案                                                  |
      | 备案日期 | a date                                                  |
      | 联系人   | a clear text                                            |
      | 联系电话 | a clear text                                            |
    And no cell of the export is a formula

  Scenario: Contacts are masked for a role that may not read filings
    Given "Qian" is an inspector at the provincial CAC office of 310000
    When "Qian" exports the registry
    Then the response status is 200
    And the export's row for "=SUM(1,2)门禁有限公司" holds:
      | column   | value         |
      | 备案状态 | 已备案        |
      | 联系人   | a masked text |
      | 联系电话 | a masked text |
