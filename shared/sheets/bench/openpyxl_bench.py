"""The reference side of the spreadsheet benchmark: openpyxl parsing a workbook (read-only
mode) and writing rows (write-only mode), and the generator of the import workbook.

    python3 openpyxl_bench.py read FILE                  # parse every cell, nothing else
    python3 openpyxl_bench.py write CSV FILE             # the rows of CSV into an xlsx
    python3 openpyxl_bench.py gen-complaints N FILE      # an N-row hotline log to import
"""

import csv
import sys

import openpyxl

HEADERS = ["受理渠道", "被投诉单位名称", "所在省份", "投诉举报内容", "发生日期", "是否匿名",
           "答复方式", "电子邮箱"]
CHANNELS = ["电话", "来信", "来访", "转办"]


def read(path):
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    cells = 0
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            cells += sum(1 for v in row if v is not None)
    book.close()
    print(f"{cells} cells parsed")


def write(source, path):
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("备案登记")
    rows = 0
    with open(source, newline="", encoding="utf-8") as f:
        for row in csv.reader(f):
            sheet.append(row)
            rows += 1
    book.save(path)
    print(f"{rows} rows written")


def gen_complaints(n, path):
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("投诉举报")
    sheet.append(HEADERS)
    for i in range(n):
        anonymous = i % 3 == 0
        sheet.append([
            CHANNELS[i % 4],
            f"某某智能科技有限公司{i}",
            "上海市",
            f"第{i}号来电：小区门禁只能刷脸进入，物业不提供其他通行方式，要求删除已采集的人脸信息。",
            f"2026-11-{1 + i % 28:02d}",
            "是" if anonymous else "否",
            "" if anonymous else "电子邮件",
            "" if anonymous else f"caller{i}@complainant.example",
        ])
    book.save(path)


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "read":
        read(sys.argv[2])
    elif command == "write":
        write(sys.argv[2], sys.argv[3])
    elif command == "gen-complaints":
        gen_complaints(int(sys.argv[2]), sys.argv[3])
    else:
        sys.exit(f"unknown command {command}")
