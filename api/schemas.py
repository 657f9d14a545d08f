"""Request and response models of the API; the CLI's ``--json`` prints these same models."""

from __future__ import annotations

from pydantic import BaseModel, Field


class LinkOut(BaseModel):
    kind: str = Field(description="关联到的节点类型 (Product / TestItem / Standard / Hazard / Category)")
    id: str = Field(description="节点编号")
    name: str = Field(description="节点名称")
    score: float = Field(description="关联强度 0–1")
    via: str = Field(description="关联方式: number 标准号 / synonym 同义词 / name 名称 / alias 别名 / narrower 下位产品 / hazard 经危害 / semantic 语义")
    matched: str = Field(description="主题中产生该关联的词语")


class ScopeEvidenceOut(BaseModel):
    scope_id: str = Field(description="认可能力范围条目编号")
    object: str = Field(description="检验对象")
    item: str = Field(description="检验项目")
    standard: str = Field(description="依据的检验标准名称")
    method: str = Field(description="方法程序及编号 (标准号)")
    limits: str = Field(description="限制范围说明")
    valid_to: str = Field(description="认可有效期至")
    tier: str = Field(description="匹配层级: exact 项目与标准 / product 同产品 / item 同项目 / category 同类别 / related 相关产品 (语义推测的产品 a product the semantic layer guessed)")
    score: float = Field(description="该条目的得分")
    matched: list[str] = Field(description="该条目覆盖的主题关联节点")
    closeness: float = Field(0.0, description="语义贴近度 0–1: 条目 (或其机构) 的措辞与主题的接近程度; 语义层关闭时为 0")


class LabOut(BaseModel):
    id: str = Field(description="认可编号 (如 IB0001)")
    name: str = Field(description="机构名称")
    province: str = Field(description="省份")
    city: str = Field(description="城市")
    score: float = Field(description="排序得分，越高越直接")
    tier: str = Field(description="最佳匹配层级")
    body_type: str = Field(description="机构类型: inspection 检验机构 / pt_provider 能力验证提供者 / rm_producer 标准物质生产者 / laboratory 实验室")
    valid_to: str = Field(description="认可证书有效期至")
    evidence: list[ScopeEvidenceOut] = Field(description="使其具备资格的认可范围条目 (最相关的若干条)")
    evidence_total: int = Field(description="符合条件的认可范围条目总数")


class SpecialtyEvidenceOut(BaseModel):
    text: str = Field(description="专长原文 (如授权签字领域)")
    target_kind: str = Field(description="专长指向的节点类型")
    target: str = Field(description="专长指向的节点名称")
    tier: str = Field(description="匹配层级")
    score: float = Field(description="得分")
    closeness: float = Field(0.0, description="语义贴近度 0–1: 专家专长措辞与主题的接近程度; 语义层关闭时为 0")


class ExpertOut(BaseModel):
    id: str = Field(description="专家编号")
    name: str = Field(description="显示名 (假名化记录为合成名)")
    province: str = Field(description="所在省份")
    city: str = Field(description="所在城市")
    score: float = Field(description="排序得分")
    tier: str = Field(description="最佳匹配层级")
    affiliation: str = Field(description="所在单位编号")
    affiliation_name: str = Field(description="所在单位名称")
    roles: list[str] = Field(description="角色: signatory 授权签字人 / instructor 讲师 …")
    conflict: bool = Field(description="是否与请求中列出的单位存在利益关联")
    conflict_reason: str = Field(description="利益关联说明")
    evidence: list[SpecialtyEvidenceOut] = Field(description="使其具备资格的专长")


class MatchResponse(BaseModel):
    topic: str = Field(description="查询主题")
    as_of: str = Field(description="认可有效性判定日期")
    links: list[LinkOut] = Field(description="主题关联到的产品、项目、标准、危害")
    labs: list[LabOut] = Field(description="排序后的检验检测机构")
    experts: list[ExpertOut] = Field(description="排序后的专家")
    reason: str = Field(description="结果为空时的原因")
    suggestions: list[str] = Field(description="主题无法关联时的建议词")
    semantic: str = Field(default="", description="语义匹配状态：on 已启用（模型名）/ off 未启用及原因（仅词法匹配）")


class GapOut(BaseModel):
    kind: str = Field(description="缺口类型: no_standard 无标准 / outdated_standard 标准滞后 / uncovered_hazard 危害无项目覆盖 / unstandardised_item 项目无标准 / no_lab_in_province 省内无机构")
    subject_kind: str = Field(description="对象类型 (Product / TestItem)")
    subject_id: str = Field(description="对象编号")
    subject_name: str = Field(description="对象名称")
    province: str = Field(description="省份 (仅能力缺口)")
    category: str = Field(description="产品类别编号")
    score: float = Field(description="优先级得分")
    reason: str = Field(description="原因")
    evidence: list[str] = Field(description="依据 (标准、省份等)")


class GapsResponse(BaseModel):
    as_of: str = Field(description="判定日期")
    review_years: int = Field(description="标准复审周期 (年)")
    gaps: list[GapOut] = Field(description="排序后的标准缺口")


class NodeOut(BaseModel):
    kind: str = Field(description="节点类型")
    id: str = Field(description="节点编号")
    name: str = Field(description="名称")
    props: dict = Field(description="属性 (个人联系方式除外)")


class NeighbourOut(BaseModel):
    rel: str = Field(description="关系类型")
    direction: str = Field(description="out 指向邻居 / in 来自邻居")
    kind: str = Field(description="邻居类型")
    id: str = Field(description="邻居编号")
    name: str = Field(description="邻居名称")


class EntityResponse(BaseModel):
    node: NodeOut = Field(description="实体")
    neighbours: list[NeighbourOut] = Field(description="相连的实体 (至多 200 个)")


class SearchResponse(BaseModel):
    query: str = Field(description="查询词")
    hits: list[NodeOut] = Field(description="名称匹配的实体")


class StatsResponse(BaseModel):
    store: str = Field(description="存储类型")
    snapshot: str = Field(description="数据快照日期")
    counts: dict[str, int] = Field(description="各类节点与关系的数量")


class HealthResponse(BaseModel):
    status: str = Field(description="ok 或错误状态")
    store: dict[str, str] = Field(description="存储状态")
    semantic: str = Field(default="", description="语义匹配状态：on 已启用 / off 未启用及原因")


class ContactResponse(BaseModel):
    id: str = Field(description="专家编号")
    name: str = Field(description="显示名")
    contact_phone: str = Field(description="电话 (个人信息)")
    contact_email: str = Field(description="邮箱 (个人信息)")
