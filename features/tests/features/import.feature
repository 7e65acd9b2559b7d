@import
Feature: Spreadsheet imports (paper filings, the hotline and letter log, staff accounts)
  Complaint handlers key in what arrived by phone, letter, visit or transfer from a workbook.
  The template says what each column takes; an upload is imported whole or not at all, and a
  refused one comes back as an error workbook with the problem beside each bad row.

  Background:
    Given the platform is running
    And "Zhou" is a complaint handler at the provincial CAC office of 310000

  Scenario: The template is downloaded, filled in and imported
    When "Zhou" downloads the complaints import template
    Then the response status is 200
    And the template's sheet "投诉举报" has the headers:
      | header       |
      | 受理渠道     |
      | 所在省份     |
      | 投诉举报内容 |
      | 是否匿名     |
      | 答复方式     |
    And the template explains every column on the sheet "填写说明"
    And the template offers the choices "是、否" in a drop-down list
    When "Zhou" imports a hotline log with these rows:
      | 受理渠道 | 被投诉单位名称   | 所在省份 | 投诉举报内容                         | 是否匿名 | 答复方式 | 电子邮箱                           |
      | 电话     | 某物业 {unique}  | 上海市   | 小区门禁只能刷脸进入。               | 否       | 电子邮件 | caller-{unique}@complainant.example |
      | 来信     | 某商场 {unique}  | 上海市   | 商场入口人脸识别没有提示牌。         | 是       |          |                                    |
    Then the response status is 200
    And 2 rows were read and committed

  Scenario: A dry run checks every row and stores nothing
    When "Zhou" imports a hotline log as a dry run with these rows:
      | 受理渠道 | 被投诉单位名称  | 所在省份 | 投诉举报内容         | 是否匿名 |
      | 来访     | 某酒店 {unique} | 上海市   | 前台强制刷脸登记。   | 是       |
    Then the response status is 200
    And 1 rows were read and nothing was committed

  Scenario: One bad row commits nothing and comes back in the error workbook
    When "Zhou" imports a hotline log with these rows:
      | 受理渠道 | 被投诉单位名称  | 所在省份 | 投诉举报内容         | 发生日期   | 是否匿名 |
      | 电话     | 某物业 {unique} | 上海市   | 门禁只能刷脸。       | 2026-11-20 | 是       |
      | 电话     | 某酒店 {unique} | 火星     |                      | 2026-13-40 | 也许     |
    Then the response status is 422
    And the problem code is "import.rows_invalid"
    And the problem lists these cells:
      | row | column       | code                |
      | 3   | 所在省份     | cell.invalid_choice |
      | 3   | 投诉举报内容 | cell.required       |
      | 3   | 发生日期     | cell.invalid_date   |
      | 3   | 是否匿名     | cell.invalid_choice |
    When "Zhou" downloads the error workbook
    Then the response status is 200
    And the error workbook holds these cells:
      | row | column         | value           |
      | 2   | 被投诉单位名称 | 某物业 {unique} |
      | 2   | 错误           |                 |
      | 3   | 被投诉单位名称 | 某酒店 {unique} |
      | 3   | 所在省份       | 火星            |
      | 3   | 错误           | 投诉举报内容    |
      | 3   | 错误           | 发生日期        |

  Scenario: A zip bomb is refused before it is inflated
    When "Zhou" imports a zip bomb
    Then the response status is 413
    And the problem code is "sheet.zip_bomb"

  Scenario: Paper filings keyed in by a reviewer wait for review as paper submissions
    Given "Wang" is a reviewer at the provincial CAC office of 310000
    When "Wang" imports paper filings of 2 new processors in 310000 as a dry run
    Then the response status is 200
    And 2 rows were read and nothing was committed
    When "Wang" imports paper filings of 2 new processors in 310000
    Then the response status is 200
    And 2 rows were read and committed
    And every imported filing waits for review as a paper submission seen by "Wang"

  Scenario: A paper filing with a gap commits none of the sheet
    Given "Wang" is a reviewer at the provincial CAC office of 310000
    When "Wang" imports paper filings of 3 new processors in 310000 where row 3 has no "处理目的" and incomplete paper materials
    Then the response status is 422
    And the problem lists these cells:
      | row | column       | code           |
      | 3   | 处理目的     | field.required |
      | 3   | 书面材料齐全 | field.required |

  Scenario: A paper filing outside the reviewer's province is refused
    Given "Wang" is a reviewer at the provincial CAC office of 310000
    When "Wang" imports paper filings of 1 new processors in 110000
    Then the response status is 422
    And the problem lists these cells:
      | row | column           | code                       |
      | 2   | 统一社会信用代码 | field.outside_jurisdiction |

  Scenario: Staff accounts are imported into the admin's own office
    Given "Qian" is an admin at the provincial CAC office of 310000
    When "Qian" imports these staff accounts:
      | 电子邮箱                         | 姓名   | 角色   | 初始密码              |
      | reviewer-{unique}@sh.cac.example | 孙审核 | 审核员 | initial-password-2026 |
    Then the response status is 200
    And 1 rows were read and committed
    And "reviewer-{unique}@sh.cac.example" signs in to casework with the password "initial-password-2026"
