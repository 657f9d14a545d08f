"""Request and response models of the sampling endpoints (issue 5); the ``yrdq sampling`` CLI prints the same."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

DATE = r"^\d{4}-\d{2}-\d{2}$"


class FailedItemIn(BaseModel):
    item: str = Field(min_length=1, description="不合格检验项目 (failed test item)")
    value: str = Field("", description="实测值 (measured value)")
    limit: str = Field("", description="标准要求/限量 (limit)")
    unit: str = Field("", description="单位 (unit)")


class SamplingIn(BaseModel):
    """One sampled batch; the id is computed from the batch key when left empty, so re-posting is idempotent."""

    id: str = Field("", max_length=120, description="记录编号；留空则按批次关键字段生成 (stable id)")
    date: str = Field(pattern=DATE, description="抽样日期 YYYY-MM-DD (sampling date)")
    level: Literal["national", "provincial", "city", "county", ""] = Field(
        "", description="抽查级别: national 国家级 / provincial 省级 / city 市级 / county 县级；留空则由组织单位推断"
    )
    authority: str = Field("", description="组织抽查的市场监管部门 (organising authority)")
    province: str = Field("", description="组织单位所在省份；留空则由组织单位推断")
    product_name: str = Field("", description="产品名称 (product as sampled)")
    product: str = Field("", description="产品目录编号 (catalogue Product id), 可留空")
    category_path: list[str] = Field(default_factory=list, description="产品分类路径 (category path)")
    producer_name: str = Field("", description="生产者 (producer)")
    credit_code: str = Field("", description="生产者统一社会信用代码 (18 characters)")
    seller: str = Field("", description="被抽样单位 (sampled seller)")
    trademark: str = Field("", description="商标 (trademark)")
    model: str = Field("", description="规格型号 (specification / model)")
    production_date: str = Field("", description="生产日期 YYYY-MM-DD")
    batch_no: str = Field("", description="批号 (batch number)")
    standards: list[str] = Field(default_factory=list, description="判定依据标准号 (standards judged against)")
    institution: str = Field("", description="检验机构 (testing institution)")
    result: Literal["pass", "fail"] = Field(description="检验结论: pass 合格 / fail 不合格")
    failed_items: list[FailedItemIn] = Field(default_factory=list, description="不合格项目 (failed items)")
    notice: str = Field("", description="结果公告 (notice)")
    notice_date: str = Field("", description="公告日期 YYYY-MM-DD")
    source: str = Field("", description="数据来源 (source)")
    synthetic: bool = Field(False, description="是否为合成数据 (synthetic record)")


class WriteResult(BaseModel):
    written: int = Field(description="写入的记录数 (records written)")
    created: int = Field(description="其中新记录 (new ids)")
    updated: int = Field(description="其中覆盖已有记录 (ids already present: replaced, so re-posting changes nothing)")
    ids: list[str] = Field(description="记录编号，按提交顺序 (record ids, in order)")


class SamplingOut(SamplingIn):
    id: str = Field(description="记录编号")
    producer: str = Field("", description="生产者企业节点编号 (Enterprise id)")


class SamplingList(BaseModel):
    total: int = Field(description="符合条件的记录数")
    records: list[SamplingOut]


class PlannedIn(BaseModel):
    producer: str = Field("", description="生产者名称")
    credit_code: str = Field("", description="统一社会信用代码 (可选)")
    standard: str = Field("", description="判定标准号")
    trademark: str = Field("", description="商标")
    model: str = Field("", description="规格型号")
    date: str = Field("", pattern=r"^(\d{4}-\d{2}-\d{2})?$", description="计划抽样日期 YYYY-MM-DD；默认今天")
    product_name: str = Field("", description="产品名称 (仅显示)")


class EvidenceOut(BaseModel):
    id: str = Field(description="抽样记录编号")
    date: str = Field(description="抽样日期")
    level: str = Field(description="抽查级别")
    authority: str = Field(description="组织单位")
    province: str = Field(description="组织省份")
    product_name: str
    producer_name: str
    credit_code: str
    trademark: str
    model: str
    standards: list[str]
    result: str
    synthetic: bool = Field(description="合成数据")
    differences: list[str] = Field(description="与计划不同之处 (what differs; empty for a match)")


class RecognitionOut(BaseModel):
    status: Literal["recognised", "not_recognised", "undecidable"] = Field(
        description="recognised 可互认 / not_recognised 需抽样 / undecidable 无法判定"
    )
    recognised: bool | None = Field(description="是否可互认；无法判定时为 null")
    reason: str = Field(description="说明 (中文, English)")
    window: dict[str, str] = Field(description="互认时间窗 {from, to}")
    missing: list[str] = Field(description="计划缺少的属性 (producer / standard / trademark / model)")
    matches: list[EvidenceOut] = Field(description="可互认的抽样记录 (evidence)")
    near_misses: list[EvidenceOut] = Field(description="相近记录及差异 (near-misses with what differs)")
    possible: list[EvidenceOut] = Field(description="无法判定时：已知属性一致的记录 (records that match on what is given)")


class SignalOut(BaseModel):
    kind: str = Field(description="systemic 系统性 / regional 区域性 / emerging_rate, emerging_item 苗头性 / repeat_offender 重复不合格")
    subject: str = Field(description="产品 (或重复不合格的生产者)")
    province: str = Field(description="省份；全区域为空")
    period: str = Field(description="统计期")
    summary: str = Field(description="说明 (中文, English)")
    numbers: dict = Field(description="支撑该信号的数字 (rates, counts, p-values)")
    record_ids: list[str] = Field(description="依据的抽样记录编号")


class ItemOut(BaseModel):
    item: str = Field(description="不合格项目")
    failed_batches: int = Field(description="不合格批次数")
    products: list[str]
    provinces: list[str]
    record_ids: list[str]


class RateOut(BaseModel):
    product: str
    province: str
    period: str
    batches: int = Field(description="抽样批次")
    failed: int = Field(description="不合格批次")
    rate: float = Field(description="不合格率")
    ci: list[float] = Field(description="Wilson 置信区间 [low, high]")
    failed_ids: list[str]


class SignalsOut(BaseModel):
    scope: list[str] = Field(description="分析的省份 (空为全部)")
    records: int = Field(description="范围内的记录数")
    excluded_sources: dict[str, int] = Field(description="只公布不合格结果、因而不计入不合格率的来源及记录数")
    thresholds: dict = Field(description="使用的阈值 (settings)")
    signals: list[SignalOut]
    items: list[ItemOut] = Field(description="不合格项目排名")


class RatesOut(BaseModel):
    rates: list[RateOut]


class CampaignOut(BaseModel):
    product: str
    product_name: str
    topic: str = Field(description="用于匹配机构和专家的主题")
    window: dict[str, str]
    standards: list[dict] = Field(description="统一判定标准 (id, title, status, note)")
    items: list[dict] = Field(description="统一检验项目，按近期不合格加权排序")
    labs: dict[str, list[dict]] = Field(description="各省具备资质的检验机构")
    experts: list[dict]
    summary: dict
    records: list[dict] = Field(description="依据的抽样记录")
    notes: list[str]


class LoadOut(BaseModel):
    summary: dict[str, int] = Field(description="读取、合并、拒绝的行数与记录数")
    rejected: list[str] = Field(description="被拒绝的行 file:line: reason (前 100 条)")
    notes: list[str]
