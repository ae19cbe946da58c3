"""The Chinese catalogue of `i18n.tr`: English text as the code writes it -> Simplified Chinese.

A key's '{}' stands for one formatted value, placed in the Chinese by '{0}', '{1}', ... Terms follow
docs/glossary.md. tests/test_i18n.py checks that every tr() call of the package and of the translated
notebooks has its entry here, that every entry is used, and that the placeholders agree.
"""

CATALOGUE: dict[str, str] = {
    # ---- plots and widgets (distill_helpers/plots.py, widgets.py)
    "teacher": "教师模型",
    "student": "学生模型",
    "probability": "概率",
    "label {}": "标签 {0}",
    "epoch": "轮次（epoch）",
    "training loss": "训练损失",
    "loss (each run's own objective)": "损失（各次训练自己的目标函数）",
    "validation accuracy": "验证准确率",
    "perfect": "完美校准",
    "accuracy": "准确率",
    "reliability diagram": "可靠性图",
    "confidence (bin)": "置信度（分箱）",
    "examples": "样本数",
    "predicted": "预测类别",
    "true": "真实类别",
    "{}: {} errors": "{0}：{1} 个错误",
    "errors (count)": "错误数",
    "log N (uniform, N classes)": "log N（均匀分布，N 个类别）",
    "temperature T": "温度 T",
    "mean entropy (nats)": "平均熵（nats）",
    "entropy grows with T": "熵随 T 增大",
    "layer {} {}": "第 {0} 层 {1}",
    "{}: weights": "{0}：权重",
    "value": "取值",
    "density": "密度",
    "digit #{}": "数字 #{0}",
    "digit #{} (label {})": "数字 #{0}（标签 {1}）",
    "T = {}   entropy: teacher {}": "T = {0}   熵：教师模型 {1}",
    "T = {}   entropy: teacher {}, student {} nats": "T = {0}   熵：教师模型 {1}，学生模型 {2} nats",
    "example": "样本",
    "#{} (label {})": "#{0}（标签 {1}）",
    "loss terms": "损失的两项",
    "gradient norm w.r.t. student logits": "对学生模型 logits 的梯度范数",
    "T = {}, alpha = {}: loss {} (soft {}, hard {}); grad norms soft {}, hard {}":
        "T = {0}，alpha = {1}：损失 {2}（软损失 {3}，硬损失 {4}）；梯度范数：软损失 {5}，硬损失 {6}",
    # ---- progress bars (train.py)
    "train": "训练",
    "distill T={}": "蒸馏 T={0}",
    "{} students ({} settings x {} seeds)": "{0} 个学生模型（{1} 种设置 × {2} 个种子）",
    # ---- exercise checks (exercises/__init__.py)
    "correct": "正确",
    "not yet": "还不对",
    ": ": "：",
    ", think again": "，再想想",
    "exercise {} ({})": "练习 {0}（{1}）",
    "not answered yet: replace the placeholder with your answer and rerun the cell":
        "尚未作答：把占位的 None 换成你的答案，再运行这个单元格",
    "expected a number, got a bool": "应为一个数，得到的是布尔值",
    "expected a number or tensor, got {}": "应为一个数或张量，得到的是 {0}",
    "wrong shape {}, expected {}": "形状 {0} 不对，应为 {1}",
    "your answer contains NaN or infinity": "你的答案含有 NaN 或无穷大",
    "close, but not within the tolerance": "很接近，但不在容差之内",
    "expected True or False, got {}": "应为 True 或 False，得到的是 {0}",
    "expected a string, got {}": "应为字符串，得到的是 {0}",
    "expected a tuple of {} values": "应为含 {0} 个值的元组",
    "expected a whole number, got {}": "应为整数，得到的是 {0}",
    "expected a function, got {}": "应为一个函数，得到的是 {0}",
    "your function raised {}: {}": "你的函数抛出了 {0}：{1}",
    "wrong result on test input {} of {}": "在第 {0} 个测试输入（共 {1} 个）上结果不对",
    # ---- notebook 01
    "train {}, validation {}, test {}, pixel range [{}, {}], labels {}":
        "训练集 {0}，验证集 {1}，测试集 {2}，像素取值范围 [{3}, {4}]，标签类型 {5}",
    "every student: {} epochs of Adam, batch {}; distilled at T = {}, alpha = {} (notebooks 02-03)":
        "每个学生模型：Adam 训练 {0} 轮，批大小 {1}；蒸馏时 T = {2}，alpha = {3}（见 02-03 篇）",
    "teacher (our CNN)": "教师模型（我们的 CNN）",
    "student 800-800": "学生模型 800-800",
    "scratch 800-800": "从头训练 800-800",
    "tiny student 64": "微型学生模型 64",
    "paper's teacher 1200-1200": "论文的教师模型 1200-1200",
    "(untrained)": "（未训练）",
    "model": "模型",
    "params": "参数量",
    "ms, 1 image": "1 张/ms",
    "ms, 256 images": "256 张/ms",
    "test acc %": "测试准确率%",
    "our student vs our teacher:      {}x the parameters, {}x fewer MACs, {}x faster on 1 image and {}x on 256":
        "我们的学生模型 vs 教师模型：参数量是 {0} 倍，MAC 少到 1/{1}，单张图快 {2} 倍，256 张一批快 {3} 倍",
    "paper's teacher vs that student: {}x the parameters, {}x the MACs":
        "论文的教师模型 vs 该学生模型：参数量是 {0} 倍，MAC 是 {1} 倍",
    "tiny student vs student:         {}x fewer MACs, but {}x faster on 1 image and {}x on 256":
        "微型学生模型 vs 学生模型：MAC 少到 1/{0}，但单张图只快 {1} 倍，256 张一批快 {2} 倍",
    "accuracy: teacher {} %, student {} %, scratch {} %, tiny student {} %":
        "准确率：教师模型 {0} %，学生模型 {1} %，从头训练 {2} %，微型学生模型 {3} %",
    "teacher: its two convolutions hold {} parameters ({}) but do {} of its MACs; its largest dense layer alone holds {} ({})":
        "教师模型：两个卷积层只有 {0} 个参数（{1}），却承担了 {2} 的 MAC；最大的那个全连接层独占 {3} 个参数（{4}）",
    "arithmetic speed on 256 images: teacher {}, student {} GMAC/s":
        "256 张一批时的运算速度：教师模型 {0}，学生模型 {1} GMAC/s",
    "distilled vs scratch student on the {} test digits: {} errors per 1,000 (one seed each)":
        "在 {0} 个测试数字上，蒸馏学生模型与从头训练学生模型的错误数之差：每 1,000 个数字 {1} 个（各只有一个种子）",
    "Test digits on which the teacher hesitates (teacher probabilities at T = 1)":
        "教师模型拿不准的测试数字（T = 1 时教师模型的概率）",
    "wrong-class probabilities on these digits range from {} to {}":
        "这几个数字上，错误类别的概率从 {0} 到 {1} 不等",
    "Confident digits of three classes: tiny wrong-class probabilities, still ordered (log axis)":
        "三个类别中最有把握的数字：错误类别的概率极小，但仍有大小顺序（对数坐标）",
    "{} of the student's first-layer weights still lie inside PyTorch's initial range ±1/√784 = ±{}":
        "学生模型第一层的权重中，有 {0} 仍落在 PyTorch 的初始化范围 ±1/√784 = ±{1} 之内",
    "| student:": "| 学生模型：",
    "{} of the student's first-layer ReLU units are exactly 0 (silent) on this digit":
        "在这个数字上，学生模型第一层的 ReLU 单元有 {0} 恰好为 0（不激活）",
    "a blank pixel becomes {} after the teacher's Standardize layer; the zero padding around the image stays 0":
        "空白像素经过教师模型的 Standardize 层后变成 {0}；图像四周补的零仍是 0",
    "input (label {})": "输入（标签 {0}）",
    "teacher: conv1 + ReLU, 28×28 feature maps 0-7 of 32": "教师模型：conv1 + ReLU，32 张 28×28 特征图中的第 0-7 张",
    "student: its 800 first-layer units as a 20×40 grid": "学生模型：第一层的 800 个单元排成 20×40 的网格",
    "map {}": "特征图 {0}",
    "activation": "激活值",
    "units": "单元数",
    "student: histogram of the 800 activations": "学生模型：800 个激活值的直方图",
    # ---- notebook 05
    "mean validation errors over the last 5 epochs: scratch {} to {}; distilled {} to {}":
        "最后 5 轮的平均验证集错误数：从头训练 {0} 到 {1}；蒸馏 {2} 到 {3}",
    "over those epochs the learning rate is at most {} of its starting value": "在这几轮里，学习率至多是初始值的 {0}",
    "validation errors / 500": "验证集错误数 / 500",
    "validation errors during training (mean of seeds)": "训练过程中的验证集错误数（各种子的均值）",
    "test errors / 1,000": "测试集错误数 / 1,000",
    "paper / 10,000": "论文 / 10,000",
    "seed": "种子",
    "scratch - distilled": "从头训练 - 蒸馏",
    "by hand: mean {}, s = {}, t(0.975, {}) = {}, half-width {} x {} / sqrt({}) = {}":
        "手算：均值 {0}，s = {1}，t(0.975, {2}) = {3}，半宽 {4} x {5} / sqrt({6}) = {7}",
    "paired_difference: {} (95 % interval {} to {})": "paired_difference：{0}（95% 区间 {1} 到 {2}）",
    "unpaired (two means, t with {} degrees of freedom): {} ± {}, against the paired ± {}:":
        "不配对（当作两个均值，t 分布取 {0} 个自由度）：{1} ± {2}，配对时为 ± {3}：",
    "pairing narrows the interval by {} here": "在这里，配对让区间窄了 {0}",
    "pairing does not narrow it here": "在这里，配对没有让区间变窄",
    "\nit closes {} % of the scratch-to-teacher gap on test (95 % interval over seeds {} to {} %); the paper: {} %":
        "\n在测试集上，蒸馏填补了从头训练与教师模型之间差距的 {0}%（种子上的 95% 区间为 {1} 到 {2}%）；论文：{3}%",
    "share of the gap closed, test: {} %; interval over seeds {} to {} %, over test digits (bootstrap) {} to {} %":
        "填补的差距比例，测试集：{0}%；种子上的区间 {1} 到 {2}%，测试集数字上的区间（自助法）{3} 到 {4}%",
    "share of the gap closed, validation (teacher {} errors / {}): {} % (interval over seeds {} to {} %)":
        "填补的差距比例，验证集（教师模型 {0} 个错误 / {1}）：{2}%（种子上的区间 {3} 到 {4}%）",
    "seed 0 on the test digits: only the scratch student right on {}, only the distilled one on {}; McNemar's exact p = {}":
        "种子 0 在测试集数字上：只有从头训练的学生模型答对的有 {0} 个，只有蒸馏的学生模型答对的有 {1} 个；McNemar 精确检验 p = {2}",
    "the interval over test digits is {} times as wide as the one over seeds": "测试集数字上的区间宽度是种子上区间的 {0} 倍",
    "the paper's {} % lies {} our interval over seeds, and {} our interval over test digits":
        "论文的 {0}% {1}我们在种子上的区间，{2}我们在测试集数字上的区间",
    "above": "高于",
    "not above": "不高于",
    "below": "低于",
    "inside": "落入",
    "{} agreement with teacher {}   mean KL(teacher || student) {} nats":
        "{0} 与教师模型的一致率 {1}   平均 KL(教师模型 || 学生模型) {2} nats",
    "all {} seeds: KL, scratch minus distilled = {} ± {} nats": "全部 {0} 个种子：KL，从头训练减去蒸馏 = {1} ± {2} nats",
    "{} ECE {}   examples in the top bin (confidence > 0.9): {} of {}":
        "{0} ECE {1}   最高分箱（置信度 > 0.9）中的样本：{3} 个中有 {2} 个",
    "teacher (CNN)": "教师模型（CNN）",
    "1 image ms (min/median)": "1 张图像 ms（最小/中位）",
    "1,000 images ms (min/median)": "1,000 张图像 ms（最小/中位）",
    "\nthe student has {}x the teacher's parameters but {}x fewer MACs; measured here it is {}x {} on one image and {}x {} on 1,000 images (minimum times)":
        "\n学生模型的参数量是教师模型的 {0} 倍，MAC 却只有它的 1/{1}；在这里实测（取最短时间），处理一张图像时{3} {2} 倍，处理 1,000 张图像时{5} {4} 倍",
    "faster": "快",
    "slower": "慢",
    "mean validation errors at epochs 10, 15, 20: labels only {}; T=4, alpha=0.9 {}":
        "第 10、15、20 轮的平均验证集错误数：仅用标签 {0}；T=4, alpha=0.9 {1}",
    "labels only: {} validation errors / {} (mean ± 95 % interval, {} seeds)\n":
        "仅用标签：{0} 个验证集错误 / {1}（均值 ± 95% 区间，{2} 个种子）\n",
    "paired difference from labels only (negative = distillation helps), p of the paired t test, raw and Holm":
        "与仅用标签的配对差值（负数 = 蒸馏有帮助），以及配对 t 检验的 p 值：未校正的和 Holm 校正后的",
    "difference": "差值",
    "verdict at 95 %: raw / Holm": "95% 水平的结论：未校正 / Holm",
    "\ncells where distillation helps at 95 %: {} of {} one by one, {} after Holm's correction; expected by chance alone if distillation did nothing anywhere: {} intervals excluding zero in either direction ({} on the 'helps' side)":
        "\n在 95% 水平上蒸馏有帮助的组合：逐个检验时 {1} 个中有 {0} 个，Holm 校正后有 {2} 个；即使蒸馏在任何组合上都不起作用，"
        "单凭偶然也预计有 {3} 个区间不包含零（两个方向合计；其中“有帮助”一侧 {4} 个）",
    "mean of the {} distilled cells minus labels only, per seed: {} errors / {} (interval {} to {}; p = {})":
        "{0} 个蒸馏组合的均值减去仅用标签，逐种子计算：{1} 个错误 / {2}（区间 {3} 到 {4}；p = {5}）",
    "paper's best T for 30 units": "论文中 30 单元时最好的 T",
    "errors minus labels-only (per 500)": "与仅用标签的错误数之差（每 500 个）",
    "784-30-30-10 on validation: paired difference, 8 seeds, 95 % intervals (uncorrected)":
        "784-30-30-10 在验证集上：配对差值，8 个种子，95% 区间（未校正）",
    "alpha 0.9, T={} minus T={}: {} errors / 500 -> {} (raw); Holm p = {}":
        "alpha 0.9，T={0} 减去 T={1}：{2} 个错误 / 500 -> {3}（未校正）；Holm p = {4}",
    "better": "更好",
    "worse": "更差",
    "T={} over T={}": "T={0} 优于 T={1}",
    "reproduced": "得到复现",
    "not reproduced here": "在这里未能复现",
    "; better one by one, before the correction: {}": "；校正前逐个比较时更好的有：{0}",
    "\nthe paper's 30-unit finding (T of 3-4 better than both T=1 and T=20, after Holm): {}":
        "\n论文关于 30 单元的发现（经 Holm 校正，T 取 3-4 比 T=1 和 T=20 都好）：{0}",
    "validation errors of the teachers: CNN {}, MLP 800-800 {} (of {}); the 30-30 students on labels: {}\n":
        "教师模型的验证集错误数：CNN {0}，MLP 800-800 {1}（共 {2} 个）；仅用标签训练的 30-30 学生模型：{3}\n",
    "labels only": "仅用标签",
    "T={} minus labels": "T={0} 减去仅用标签",
    "20 epochs, CNN teacher (the sweep)": "20 轮，CNN 教师模型（即上面的扫描）",
    "40 epochs, CNN teacher": "40 轮，CNN 教师模型",
    "20 epochs, weak MLP teacher": "20 轮，较弱的 MLP 教师模型",
    "20 epochs, uniform (label smoothing)": "20 轮，均匀分布（标签平滑）",
    "* = Holm-adjusted p <= 0.05 over the {} new cells (the sweep's row is the family above)":
        "* = 在 {0} 个新组合中经 Holm 调整后 p <= 0.05（扫描那一行属于上面的检验族）",
    "no difference detected after Holm": "Holm 校正后未检测到差异",
    "helps": "有帮助",
    "hurts": "有害",
    "no difference detected": "未检测到差异",
    "T = 4, alpha = 0.9 minus labels only: after 20 epochs {} ({}), after 40 epochs {} ({})":
        "T = 4, alpha = 0.9 减去仅用标签：训练 20 轮后 {0}（{1}），训练 40 轮后 {2}（{3}）",
    "40 epochs, T=4 minus T={}: {} -> {} (raw)": "40 轮，T=4 减去 T={0}：{1} -> {2}（未校正）",
    "labels only, 20 against 40 epochs: {} and {} validation errors": "仅用标签，20 轮与 40 轮：验证集错误数分别为 {0} 和 {1}",
    "label smoothing (uniform 'teacher', T = 1): {} ({}); the CNN teacher at T = 1 after 20 epochs: {}":
        "标签平滑（均匀的“教师模型”，T = 1）：{0}（{1}）；CNN 教师模型在 T = 1 下训练 20 轮：{2}",
    "chosen on validation: T = {}, alpha = {}; its validation difference from labels only was {}":
        "在验证集上选中：T = {0}，alpha = {1}；它在验证集上与仅用标签之差为 {2}",
    "test errors / 1,000: labels only {}, chosen cell {}; paired difference {} (interval over seeds {} to {}) -> {} on test":
        "测试集错误数 / 1,000：仅用标签 {0}，选中的组合 {1}；配对差值 {2}（种子上的区间 {3} 到 {4}）-> 在测试集上{5}",
    "over test digits (bootstrap, seeds fixed): {} to {}; McNemar per seed: p < 0.05 for {} of {} seeds ({} tests at 5 %: about {} expected by chance; no correction applied)":
        "测试集数字上的区间（自助法，种子固定）：{0} 到 {1}；逐种子的 McNemar 检验：{3} 个种子中有 {2} 个 p < 0.05"
        "（{4} 次 5% 水平的检验，单凭偶然约预计 {5} 个；未做校正）",
    "one 800-800 student costs {}x the multiply-adds of a 30-30 student, per example and epoch":
        "每个样本、每一轮，一个 800-800 学生模型的乘加次数是一个 30-30 学生模型的 {0} 倍",
    "; over the test digits the interval of the share includes zero, so a new test sample might not show it":
        "；但在测试集数字上，差距比例的区间包含零，换一批测试数字未必还能看到它",
    "Its size is not reproduced, by both intervals.": "但差距比例的大小没有复现，两种区间都表明了这一点。",
    "Over seeds its size is not reproduced; over the test digits the paper's {} % lies inside our interval, so 1,000 digits cannot show the shortfall.":
        "不过差距比例的大小在种子上没有复现；在测试集数字上，论文的 {0}% 落在我们的区间之内，所以仅凭 1,000 个数字无法表明我们的比例低于论文。",
    "not reproduced": "未能复现",
    "\n- Every choice here was made on a {}-digit validation split; the test set was scored once per model.\n  Training length was **not** checked for the 800-800 students (a flat tail under a cosine schedule proves\n  nothing); 04's one-run-per-budget method is the way to check it.\n- The distilled 800-800 student makes {} fewer test errors than the same network trained on labels\n  (paired 95 % interval over {} seeds) and stays below its teacher. It closes\n  {} % of the scratch-to-teacher gap on test ({} to {} %\n  over seeds, {} to {} % over test digits) and\n  {} % on validation; the paper closes {} %. Over seeds the pattern of the\n  paper's table is reproduced{}.\n  {}\n- Every interval covers one source of uncertainty: the seeds, or the sampling of the digits. Report both.\n- The distilled students are closer to their teacher in KL. Calibration is read with its bin counts;\n  latency is the minimum of many runs, and says more about the machine than parameters do.\n- The 30-unit sweep: {} of {} cells beat labels only one by one at 95 %, {} after Holm's\n  correction; by chance alone one expects {} intervals excluding zero in either direction; the paper's finding that T of 3 to 4\n  beats T = 1 and T = 20 is {} here. Trained for 40 epochs,\n  T = 4 minus labels only is {} validation errors / 500 ({});\n  it was not scored on test.\n- The cell chosen on validation ({} errors / 500 there) gives {} errors / 1,000 on test: {}.\n- Which T suits a large student is the paper's finding (T above 8 for 300+ units), not measured here.\n":
        """
- 这里的每个选择都是在 {0} 个数字的验证集上做出的；测试集对每个模型只评分一次。
  800-800 学生模型的训练时长**没有**检查过（余弦调度下曲线尾部变平，什么也证明不了）；要检查它，应该用 04 篇“每个训练量单独训练一次”的方法。
- 蒸馏的 800-800 学生模型比用标签训练的同一个网络少犯 {1} 个测试集错误（{2} 个种子上的配对 95% 区间），
  而且仍不如它的教师模型。在测试集上，它填补了从头训练到教师模型之间差距的 {3}%（种子上为 {4} 到 {5}%，
  测试集数字上为 {6} 到 {7}%），在验证集上填补了 {8}%；论文填补了 {9}%。在种子上，论文表格呈现的规律得到了复现{10}。
  {11}
- 每个区间只覆盖一种不确定性来源：种子，或者数字的抽样。两种都要报告。
- 蒸馏的学生模型在 KL 上更接近它们的教师模型。读校准要同时看各分箱的样本数；
  延迟取多次运行的最小值，它反映的更多是机器，而不是参数量。
- 30 单元的扫描：{13} 个组合中有 {12} 个在逐个检验时以 95% 的水平胜过仅用标签，经 Holm 校正后为 {14} 个；
  单凭偶然，预计就有 {15} 个区间不包含零（两个方向合计）；论文中 T 取 3 到 4 胜过 T = 1 和 T = 20 的发现，在这里{16}。
  训练 40 轮时，T = 4 与仅用标签之差为 {17} 个验证集错误 / 500（{18}）；它没有在测试集上评分。
- 在验证集上选中的组合（在验证集上为 {19} 个错误 / 500）在测试集上给出 {20} 个错误 / 1,000：{21}。
- 大的学生模型适合用哪个 T，是论文的发现（每层 300 个以上单元时 T 高于 8），这里没有测量。
""",
    "percentage of the gap closed on validation, seed 0": "种子 0 在验证集上填补的差距百分比",
    "calibration temperature chosen on validation": "在验证集上选出的校准温度",
    "chance of at least one false star among the sweep's cells": "扫描的各组合中至少出现一个假星号的概率",
    # ---- notebook 02
    "inline version matches the library": "手写版本与库的实现一致",
    "T = {}: p = {}, entropy = {} nats": "T = {0}：p = {1}，熵 = {2} nats",
    "uniform entropy log(4) = {}": "均匀分布的熵 log(4) = {0}",
    "distilled student: T = {}, alpha = {} (dh.RECIPES.distill)": "蒸馏的学生模型：T = {0}，alpha = {1}（dh.RECIPES.distill）",
    "validation logits: teacher range [{}, {}], student [{}, {}]":
        "验证集上的 logits：教师模型的范围 [{0}, {1}]，学生模型 [{2}, {3}]",
    "digit #{}, T = 4: teacher entropy {}, student entropy {} nats":
        "数字 #{0}，T = 4：教师模型的熵 {1}，学生模型的熵 {2} nats",
    "student (distilled)": "学生模型（蒸馏）",
    "steepest part (slope ≥ half its peak)": "最陡的一段（斜率 ≥ 峰值的一半）",
    "the teacher's entropy rises fastest between T = {} and T = {} (steepest near T = {})":
        "教师模型的熵在 T = {0} 到 T = {1} 之间上升最快（T = {2} 附近最陡）",
    "mean entropy: {} nats at T = 4, {} at T = 20, of a possible log 10 = {}":
        "平均熵：T = 4 时 {0} nats，T = 20 时 {1}，最大可能值为 log 10 = {2}",
    "validation digit #{} is a {}; its runner-up class is {}, with probability {} at T = 1 and {} at T = 4, {}x the third class ({}) at T = 4":
        "验证集数字 #{0} 是 {1}；它的第二选择是 {2}，T = 1 时概率为 {3}，T = 4 时为 {4}，是 T = 4 时第三名（{6}）的 {5} 倍",
    "validation digit #{}, label {}": "验证集数字 #{0}，标签 {1}",
    "class, sorted by the teacher's probability": "类别，按教师模型的概率排序",
    "probability (log axis)": "概率（对数坐标）",
    "T = {}: wrong-class mass {}": "T = {0}：错误类别的概率质量 {1}",
    "T = {}: {} of the mass off the top class ({} of the possible 0.9); on the training digits {}":
        "T = {0}：首选类别之外的概率质量为 {1}（占最大可能值 0.9 的 {2}）；在训练集数字上为 {3}",
    "scratch": "从头训练",
    "distilled": "蒸馏",
    "{}: mean rank correlation {}, 95 % interval [{}, {}] over {} seeds (lowest seed {}, highest {})":
        "{0}：平均秩相关 {1}，{4} 个种子上的 95% 区间 [{2}, {3}]（最低的种子 {5}，最高 {6}）",
    "distilled - scratch: {}, 95 % interval over the seeds [{}, {}] ({} seeds; distilled higher for {} of them), over the digits [{}, {}] ({} digits)":
        "蒸馏 - 从头训练：{0}，种子上的 95% 区间 [{1}, {2}]（{3} 个种子，其中 {4} 个蒸馏更高），数字上的区间 [{5}, {6}]（{7} 个数字）",
    # ---- notebook 04
    "largest weight difference between the two loops: {}": "两个循环得到的权重之间的最大差异：{0}",
    "teacher weights and predictions unchanged by distillation": "蒸馏没有改变教师模型的权重和预测",
    "distillation recipe: T = {}, alpha = {}, {} epochs": "蒸馏配方：T = {0}，alpha = {1}，{2} 轮",
    "student, scratch": "学生模型，从头训练",
    "student, distilled": "学生模型，蒸馏",
    "training curves (last epoch is what we report)": "训练曲线（我们报告的是最后一轮）",
    "{} final validation accuracy {} %": "{0} 最终验证准确率 {1} %",
    "one seed, {} validation digits: distilled {} correct per 1,000 against scratch; only distilled right on {} digits, only scratch right on {}: McNemar p = {}":
        "一个种子、{0} 个验证集数字：蒸馏与从头训练每 1,000 个答对数之差为 {1}；只有蒸馏答对的数字 {2} 个，只有从头训练答对的 {3} 个：McNemar p = {4}",
    "uniform spread": "均匀分摊",
    "validation": "验证集",
    "test": "测试集",
    "{}: errors per 1,000, mean over 8 seeds [95 % interval over the seeds]": "{0}：每 1,000 个的错误数，8 个种子的均值 [种子上的 95% 区间]",
    "{} minus distilled, {}: {} errors per 1,000; over the seeds [{}, {}], over the digits [{}, {}]:":
        "{0} 减去蒸馏，{1}：每 1,000 个的错误数之差 {2}；种子上的区间 [{3}, {4}]，数字上的区间 [{5}, {6}]：",
    "both intervals above zero": "两个区间都在零以上",
    "not resolved by both intervals": "两个区间不能同时给出结论",
    "the one-seed validation gap, {} per 1,000, against the 8-seed test gap, {} (interval over the seeds up to {})":
        "一个种子的验证集差距为每 1,000 个 {0}，而 8 个种子的测试集差距为 {1}（种子上的区间最高到 {2}）",
    "the same validation digits over 8 seeds: {} [{}, {}]:": "同样的验证集数字、8 个种子：{0} [{1}, {2}]：",
    "the one seed lies inside it (the seed is not what makes the one-seed number large)": "那一个种子落在区间之内（一个种子的数字偏大并不是种子造成的）",
    "the one seed lies outside it (one draw of the training randomness moved it)": "那一个种子落在区间之外（训练随机性的一次抽样让它偏离了）",
    "{} epochs: validation accuracy {} %": "{0} 轮：验证准确率 {1} %",
    "the largest budget won: validation accuracy was still rising, so a longer budget might do better (extend the list and rerun; the rule stays the same)":
        "最大的训练量胜出：验证准确率还在上升，更长的训练量也许更好（扩展列表再运行；规则不变）",
    "chosen on validation: {} epochs. Test accuracy of that model, measured once: {} %": "在验证集上选定：{0} 轮。该模型的测试准确率（只测一次）：{1} %",
    "second save without overwrite=True:": "第二次保存、不加 overwrite=True：",
    "restored {} {} from the file alone; training mode: {}; metadata: {}": "仅凭文件恢复了 {0} {1}；训练模式：{2}；元数据：{3}",
    # ---- notebook 07
    "device auto -> {}": "设备 auto -> {0}",
    "device {}": "设备 {0}",
    "CUDA available: {}; Apple MPS available: {}; so 'auto' gave {}":
        "CUDA 可用：{0}；Apple MPS 可用：{1}；所以 'auto' 选中了 {2}",
    "torch calls inspected during one distillation epoch: {}; float64 seen: none":
        "一轮蒸馏中检查过的 torch 调用：{0} 次；遇到的 float64：无",
    "caught:": "捕获到异常：",
    "dataset": "数据集",
    "rows": "行数",
    "classes": "类别数",
    "top-k, float16 + ids": "top-k，float16 + 索引",
    "mnist5k (ours)": "mnist5k（本系列）",
    "1 B tokens, 128k vocab": "10 亿 token，词表 128k",
    "(no gain)": "（无节省）",
    "{} largest rounding error {} (half the spacing, {}); a probability off by up to {}":
        "{0} 最大舍入误差 {1}（即间距的一半 {2}）；概率因此最多偏差 {3}",
    "stored {} logits in {} kB; spot check passed": "已保存形状为 {0} 的 logits，共 {1} kB；抽查通过",
    "without set_epoch": "不调用 set_epoch",
    "with set_epoch": "调用 set_epoch",
    "   epoch {}, rank {}: {}": "   轮次 {0}，rank {1}：{2}",
    "epoch {}, rank {}: {}": "轮次 {0}，rank {1}：{2}",
    "10 examples on 4 processes:": "10 个样本分给 4 个进程：",
    "rank 0's first batch with DataLoader(batch_size=2) on 2 processes: {} ({} examples per process, {} per step in all)":
        "2 个进程、DataLoader(batch_size=2) 时 rank 0 的第一个批次：{0}（每个进程 {1} 个样本，每步合计 {2} 个）",
    "by sample index (correct)": "按样本索引（正确）",
    "by batch position (bug)": "按批次位置（bug）",
    "{} validation accuracy by epoch: {}; agreement with the teacher {}":
        "{0} 各轮验证准确率：{1}；与教师模型的一致率 {2}",
    "                             training loss by epoch:       {}":
        "                             各轮训练损失：  {0}",
    "the bug costs {} percentage points of validation accuracy after {} epochs":
        "这个 bug 让训练 {1} 轮后的验证准确率低了 {0} 个百分点",
    "weights in kd_loss at T = 4, alpha = 0.9: soft term alpha * T^2 = {}, label term {}":
        "T = 4、alpha = 0.9 时 kd_loss 两项的权重：软损失 alpha * T^2 = {0}，硬损失（标签项）{1}",
    "the teacher's mean soft target at T = 4: every digit between {} and {}":
        "T = 4 时教师模型的平均软目标：每个数字的概率都在 {0} 到 {1} 之间",
    "{} process(es): validation accuracy {}, epoch times {} s": "{0} 个进程：验证准确率 {1}，各轮用时 {2} 秒",
    "1 process : validation accuracy {}": "1 个进程：验证准确率 {0}",
    "2 processes: validation accuracy {}; largest weight difference {}": "2 个进程：验证准确率 {0}；权重的最大差异 {1}",
    "last epoch: 2 processes {} s, 1 process {} s (ratio {}); whole run incl. start-up: {} s and {} s":
        "最后一轮：2 个进程 {0} 秒，1 个进程 {1} 秒（比值 {2}）；整个运行（含启动）：{3} 秒和 {4} 秒",
    "student logits under autocast: {}; kd_loss: {}": "autocast 下学生模型 logits 的类型：{0}；kd_loss 的类型：{1}",
    "largest logit difference bf16 vs float32: {} of the largest logit; loss {} vs {}":
        "bf16 与 float32 的 logit 最大差异：最大 logit 的 {0}；损失分别为 {1} 和 {2}",
    "bytes of a float16 logit cache for CIFAR-100": "CIFAR-100 上 float16 logits 缓存的字节数",
    "which rank trains on example 4 in epoch 3": "第 3 轮中哪个 rank 训练样本 4",
    "examples per process (this package) and per step (plain PyTorch), 4 processes, batch_size=64":
        "4 个进程、batch_size=64 时，本库每个进程的样本数与普通 PyTorch 每步的样本数",
    # ---- notebook 03
    "layers:": "各层：",
    "-> logits of shape": "-> 输出 logits 的形状",
    "by hand: {}   F.kl_div: {}   reversed KL(q||p): {}": "手算：{0}   F.kl_div：{1}   反向 KL(q||p)：{2}",
    "KL(p||q) = {}  but  KL(q||p) = {}": "KL(p||q) = {0}  但  KL(q||p) = {1}",
    "KL = {}, cross-entropy = {}, difference = {}, teacher entropy = {}":
        "KL = {0}，交叉熵 = {1}，两者之差 = {2}，教师模型的熵 = {3}",
    "largest gradient difference: {}": "梯度的最大差异：{0}",
    "the teacher's weights received a gradient:": "教师模型的权重得到了梯度：",
    "the teacher's weights changed:": "教师模型的权重变了：",
    "| the student's weights changed:": "| 学生模型的权重变了：",
    "gradient reaches the student logits:": "梯度传到了学生模型的 logits：",
    "gradient computed for the teacher logits:": "为教师模型的 logits 计算了梯度：",
    "KL without T²": "不乘 T² 的 KL",
    "∝ 1/T² (through the last point)": "∝ 1/T²（过最后一个点）",
    "gradient norm": "梯度范数",
    "soft-term gradient size": "软损失梯度的大小",
    "soft term alone, loss x T² = x{}: logits change by {} with Adam, by {} with SGD (relative)":
        "只有软损失，损失乘以 T² = {0} 倍：logits 的相对变化，Adam 为 {1}，SGD 为 {2}",
    "alpha = 0.5 with Adam: the student agrees with the teacher on {} of inputs with T², {} without it (labels: {})":
        "alpha = 0.5、用 Adam：乘 T² 时学生模型在 {0} 的输入上与教师模型一致，不乘时为 {1}（标签与教师模型一致的比例：{2}）",
    "relative gap between the T²·KL gradient and logit matching, centred | raw:":
        "T²·KL 的梯度与 logit 匹配的梯度之间的相对差距，中心化 | 原始：",
    "row sums of the KD gradient at T = 300: at most {}": "T = 300 时 KD 梯度每行之和：最大为 {0}",
    "PyTorch itself warns:": "PyTorch 自己也会警告：",
    "...": "...",
    "definition {} | reduction='mean' {} (÷{}) | reduction='batchmean' {}":
        "按定义 {0} | reduction='mean' {1}（÷{2}）| reduction='batchmean' {3}",
    "with probabilities: {} (= -H(p) - sum p q = {})   with log-probabilities: {}":
        "传入概率：{0}（= -H(p) - sum p q = {1}）   传入对数概率：{2}",
    "after 300 steps on the buggy loss: the student puts {} (median over rows) of its mass on the teacher's top class, whose teacher probability is {} (median)":
        "用有 bug 的损失训练 300 步后：学生模型把 {0}（各行的中位数）的概率质量放在教师模型的首选类别上，而教师模型给这个类别的概率是 {1}（中位数）",
    "teacher probabilities {}": "教师模型的概率 {0}",
    "p.log() by hand: {}   kd_loss: {}   log 3 = {}": "手动 p.log()：{0}   kd_loss：{1}   log 3 = {2}",
    "trained": "已训练",
    "untrained": "未训练",
    "{} student, T = {}: soft term {} (grad {}), hard term {} (grad {}): soft/hard gradient {}":
        "{0}的学生模型，T = {1}：软损失 {2}（梯度 {3}），硬损失 {4}（梯度 {5}）：软/硬梯度之比 {6}",
    # ---- notebook 08 (and the KL explorer of distill_helpers/lm.py)
    "sits on one mode": "停在一个峰上",
    "stays in the middle": "停在中间",
    "d = {}: forward fit mu = {}, sigma = {}; reverse fit mu = {}, sigma = {}":
        "d = {0}：正向拟合 mu = {1}，sigma = {2}；反向拟合 mu = {3}，sigma = {4}",
    "distance d": "峰间距 d",
    "target p (two modes)": "目标 p（两个峰）",
    "argmin KL(p||q): mode covering": "argmin KL(p||q): 模式覆盖",
    "forward fit: mu = {}, sigma = {}, KL(p||q) = {} nats": "正向拟合：mu = {0}，sigma = {1}，KL(p||q) = {2} nats",
    "reverse fit: mu = {}, sigma = {}, KL(q||p) = {} nats": "反向拟合：mu = {0}，sigma = {1}，KL(q||p) = {2} nats",
    "target p": "目标 p",
    "argmin KL(p||q): covers both modes": "argmin KL(p||q): 覆盖两个峰",
    "two modes a distance d = {} apart": "两个峰，相距 d = {0}",
    "modes 12 apart: reverse fit mu = {}, sigma = {}, KL(q||p) = {} (log 2 = {})":
        "两峰相距 12：反向拟合 mu = {0}，sigma = {1}，KL(q||p) = {2}（log 2 = {3}）",
    "the reverse fit first leaves the centre at d = {} (in steps of 1)": "反向拟合在 d = {0} 时第一次离开中心（d 以 1 为步长）",
    "a mode, d/2": "一个峰的位置 d/2",
    "distance d between the modes": "两峰间距 d",
    "|mu| of the fit": "拟合的 |mu|",
    "sigma of the fit": "拟合的 sigma",
    "vocabulary ({} symbols, '^' = start): {}": "词表（{0} 个符号，'^' = 句首）：{1}",
    "sentences: train {}, validation {}, test {}": "句子数：训练集 {0}，验证集 {1}，测试集 {2}",
    "entropy of the truth on the test text: {} bits per character (no model can do better on average)":
        "测试文本上真实分布的熵：每字符 {0} 比特（平均而言，任何模型都不可能比这更低）",
    "mass put on characters the teacher gives under 1 % at that very position, on average: forward {}, reverse {}":
        "平均而言，落在“教师模型在该位置上给的概率不到 1% 的字符”上的概率质量：正向 {0}，反向 {1}",
    "{} positions after a 't'; the teacher's own entropy there: {} bits on average":
        "'t' 之后共有 {0} 个位置；教师模型自己在这些位置上的熵平均为 {1} 比特",
    "{} KL minimiser: {}   (entropy {} bits)": "{0}KL 的最小化解：{1}   （熵 {2} 比特）",
    "teacher: {} layers, width {}, {} parameters": "教师模型：{0} 层，宽度 {1}，{2} 个参数",
    "student: {} layer, width {}, {} parameters ({}x fewer)": "学生模型：{0} 层，宽度 {1}，{2} 个参数（只有教师模型的 1/{3}）",
    "teacher on validation: {} bits/char, KL(truth||teacher) = {} bits/char":
        "教师模型在验证集上：{0} bits/char，KL(真实分布||教师模型) = {1} bits/char",
    "teacher's top {} of {} characters hold on average {} of the probability (at the worst position {})":
        "教师模型概率最高的 {0} 个字符（共 {1} 个）平均占 {2} 的概率（最差的位置上为 {3}）",
    "labels only, validation bits/char by learning rate: {}  -> lr = {}":
        "仅用标签，各学习率下的验证集 bits/char：{0}  -> lr = {1}",
    "word-level KD, validation bits/char by T:           {}  -> T = {}":
        "词级 KD，各 T 下的验证集 bits/char：    {0}  -> T = {1}",
    "the best T beats the runner-up by {} bits/char on one seed: {}and read as a choice, not a finding":
        "只用一个种子，最好的 T 比第二名低 {0} bits/char：{1}只能把它当作一个选择，而不是一项发现",
    "at an edge of the grid, ": "位于网格的边缘，",
    "inside the grid, ": "位于网格内部，",
    "budget per student: {} steps of {} sentences = {} sentences, {} passes over the training text":
        "每个学生模型的训练量：{0} 步，每步 {1} 句，共 {2} 句，相当于把训练文本过 {3} 遍",
    "(± : 95 % t interval over {} seeds, t = {} times the standard error, against 1.96 for a normal)":
        "（±：{0} 个种子上的 95% t 区间，半宽为标准误的 t = {1} 倍，正态分布下则为 1.96 倍）",
    "seed standard deviation of bpc:": "bpc 在种子间的标准差：",
    "grammatical": "合乎语法",
    "entropy": "熵",
    "KL(s||t) own": "KL(s||t) 自写",
    "truth (entropy)": "真实分布（熵）",
    "bpc - entropy - KL(truth||s), per method:": "bpc - 熵 - KL(真实分布||s)，逐个方法：",
    "data: samples - text": "数据：样本 - 文本",
    "divergence: reverse - forward": "散度：反向 - 正向",
    "forward": "正向",
    "reverse": "反向",
    "resolved": "有定论",
    "not resolved": "无定论",
    "validation bpc at the switch (after step {}):": "切换时（第 {0} 步之后）的验证集 bpc：",
    "   {} at the end: {}  (change since the switch, mean {})": "   {0} 结束时：{1}  （与切换时相比的变化，均值 {2}）",
    "step": "步数",
    "training loss (seed 0)": "训练损失（种子 0）",
    "each cell's own loss: not comparable across cells after the switch": "每个格各自的损失：切换之后不能跨格比较",
    # "seed" is in the notebook-05 section (a dict literal keeps only the last of two equal keys)
    "{}{} (95 % interval {} to {}): **{}**": "{0}{1}（95% 区间 {2} 到 {3}）：**{4}**",
    "lower": "更低",
    "higher": "更高",
    "The data effect is not resolved here, and the miniature has reasons of its own: the student starts writing after a short warm start, for half of a short budget, and many of its sentences are ungrammatical, so the teacher grades text far from its own training data, where its judgement is least reliable; GKD and MiniLLM fine-tune students that are already good, for thousands of steps.":
        "数据效应在这里无定论，而这个缩微版有它自己的原因：学生模型只经过很短的热启动就开始自己写，写的时间也只占一个本来就很短的训练量的一半，"
        "而且它写出的句子很多不合语法，于是教师模型要评判的是离它自己的训练数据很远的文本，它在那里的判断最不可靠；"
        "GKD 和 MiniLLM 微调的是本来就不错的学生模型，而且要训练几千步。",
    "The data effect is resolved: training on its own text changed how far the student's text is from the teacher's.":
        "数据效应有定论：用自己写的文本训练，改变了学生模型的文本与教师模型的文本之间的距离。",
    "On validation, every cell went on improving after the switch (bits per character fell by {} in the order of the loop above).":
        "在验证集上，每个格在切换之后都在继续变好（按上面循环的顺序，每字符比特数分别降低了 {0}）。",
    "On validation, not every cell improved after the switch: see the loop above.":
        "在验证集上，并不是每个格在切换之后都变好了：见上面的循环。",
    "The reverse KL did not make the student's own text measurably less varied: mode seeking needs a student that lacks capacity (section 2), and this one may not lack enough for a language this small.":
        "反向 KL 没有让学生模型自己的文本可测地变得更单调：模式寻求需要一个容量不足的学生模型（第 2 节），"
        "而对这么小的一门语言，这个学生模型的容量也许并不够“不足”。",
    "The reverse KL made the student's own text **less varied**, as mode seeking predicts for a student that lacks the capacity to represent its teacher everywhere (section 2); with the correction for the seven comparisons of section 8 this interval ":
        "反向 KL 让学生模型自己的文本**更单调**，正如模式寻求对一个没有足够容量处处表示教师模型的学生模型所预言的那样（第 2 节）；"
        "按第 8 节的七项比较做校正之后，这个区间",
    "still excludes zero.": "仍然不包含零。",
    "no longer excludes zero, so read it as suggestive.": "就包含零了，所以只能把它当作一个提示。",
    "**Reading the 2 × 2** (rendered from the numbers above; each effect is the second row or column minus the first):":
        "**解读 2 × 2**（由上面的数字生成；每个效应都是第二行或第二列减去第一行或第一列）：",
    "- **Data**, own samples minus training text. The reverse KL to the teacher on the student's **own** text, where exposure bias acts: {}. The share of grammatical sentences: {}. Bits per character on the test text: {}.":
        "- **数据**，自己的样本减去训练文本。在学生模型**自己**的文本上（暴露偏差起作用的地方）到教师模型的反向 KL：{0}。"
        "合乎语法的句子所占比例：{1}。测试文本上的每字符比特数：{2}。",
    "- **Divergence**, reverse minus forward KL. The same reverse KL on the student's own text: {}. The entropy of the student's own text, where mode seeking would show: {}. Bits per character on the test text: {}.":
        "- **散度**，反向 KL 减去正向 KL。同样是学生模型自己文本上的反向 KL：{0}。"
        "学生模型自己文本的熵（模式寻求会在这里显现）：{1}。测试文本上的每字符比特数：{2}。",
    "equivalence margin ±{} bits/char; labels-only student minus teacher on the test text: {} bits/char":
        "等价界值 ±{0} bits/char；作为参照，测试文本上仅用标签的学生模型减去教师模型：{1} bits/char",
    "(word-level KD and the 2 x 2 use T = {}; the top-k students use T = 1, the temperature of an API's log-probabilities)":
        "（词级 KD 和 2 × 2 用 T = {0}；top-k 学生模型用 T = 1，即 API 返回的对数概率所对应的温度）",
    "\nreproduced here: {} of {}; not resolved: {}; resolved in the opposite direction: {}":
        "\n在这里复现的：{0} 项（共 {1} 项）；无定论的：{2} 项；方向相反且有定论的：{3} 项",
    "with {} comparisons at 95 %, about {} would come out resolved by chance alone if nothing differed; at the Bonferroni level, {} reproduced":
        "在 95% 水平上做 {0} 项比较，即使什么差别都没有，单凭偶然也会有约 {1} 项有定论；按 Bonferroni 水平，复现的有 {2} 项",
    "verdict (and at the Bonferroni level {})": "结论（括号内为 Bonferroni 水平 {0} 下的结论）",
    "to": "到",
    "expectation": "预期",
    "95 % interval": "95% 区间",
    "**Reading the verdicts** (rendered from the table above):": "**解读这些结论**（由上表生成）：",
    "- **Kim & Rush, read correctly.** Their sequence-level students had much *higher* perplexity than the baseline (their Table 1; perplexity is 2 to the power of the bits per token), while their gains were in the BLEU of beam-decoded translations: a student trained on the teacher's mode models that mode, not the whole distribution. The comparison that matches their measurement here, higher bits per character for sequence-level KD, is *{}*.":
        "- **正确地读 Kim & Rush。** 他们的序列级学生模型的困惑度比基线*高*得多（他们的表 1；困惑度是 2 的“每个词元比特数”次方），"
        "收益体现在束搜索解码出的译文的 BLEU 上：一个用教师模型的众数输出训练的学生模型，学到的是那个众数，而不是整个分布。"
        "这里与他们的测量相对应的比较，即序列级 KD 的每字符比特数更高，结论是*{0}*。",
    "- **Word-level KD against the labels** is *{}*: our labels are exact samples of the true distribution, plentiful, and seen only a few times (section 5), while soft targets help most when labels are scarce or noisy (notebook 06, section 2) or when the student would otherwise overfit.":
        "- **词级 KD 对比仅用标签**：*{0}*。我们的标签是真实分布的精确样本，数量充足，而且每个只被看过几遍（第 5 节）；"
        "而软目标最有用的时候，是标签稀少或有噪声时（06 篇第 2 节），或者学生模型不这样就会过拟合时。",
    "- **When does training on teacher text win?** Here the labels are samples of the truth itself, and the teacher writes ungrammatical sentences part of the time (its row in the table), so there is no reason to expect its text to be better data than the training text. In practice the opposite is common: there are no labels for the task, or they are noisy, or the teacher writes better text than the data at hand, and its samples are unlimited. DeepSeek-R1's distilled models were made by fine-tuning on R1's samples, as were Alpaca and Orca on those of larger models; that is sequence-level KD.":
        "- **什么时候用教师模型的文本训练会胜出？** 这里的标签就是真实分布本身的样本，而教师模型有一部分时候会写出不合语法的句子（见表中它那一行），"
        "所以没有理由指望它的文本比训练文本是更好的数据。实际中常见的却是相反的情形：任务没有标签，或者标签有噪声，或者教师模型写得比手头的数据更好，"
        "而且它的样本要多少有多少。DeepSeek-R1 的蒸馏模型就是用 R1 的样本微调出来的，Alpaca 和 Orca 也是用更大模型的样本微调的：这就是序列级 KD。",
    "- **Multiple comparisons.** With {} comparisons at 95 %, one resolved difference in {} is expected by chance; the verdicts in brackets use the Bonferroni level, which keeps the chance of any false finding below 5 %.":
        "- **多重比较。** 在 95% 水平上做 {0} 项比较，每 {1} 个有定论的差异里，预计就有一个是偶然造成的；"
        "括号里的结论用的是 Bonferroni 水平，它把出现任何一个假发现的概率控制在 5% 以下。",
    "With a real vocabulary of tens of thousands of tokens and flatter distributions the tail matters more, and with it the way it is handled.":
        "换成几万个词元的真实词表、更平坦的分布，尾部就更重要，处理尾部的方式也随之更重要。",
    "- **Top-k.** Top-1 against the full distribution: *{}*; top-5 against the full distribution, equivalence at the margin of ±{}: *{}*. ":
        "- **Top-k。** top-1 对比完整分布：*{0}*；top-5 对比完整分布，在 ±{1} 的界值内检验等价：*{2}*。",
    "The teacher's next-character distributions are peaked (section 4 printed how much mass its top 5 hold), and the bucket keeps the remainder exactly. ":
        "教师模型的下一字符分布很尖（第 4 节打印了它的前 5 名占了多少概率质量），而分桶形式把剩下的质量精确地保留了下来。",
    "The teacher's top 5 hold nearly all of its probability (section 4), but the interval of the difference is wider than the margin: three seeds cannot show that two methods are as good as each other. ":
        "教师模型的前 5 名几乎占了它全部的概率（第 4 节），但差值的区间比界值更宽：三个种子证明不了两种方法一样好。",
    "; ": "；",
    "- KL is not symmetric. Fitting one Gaussian to two modes, the forward KL(p‖q) covers both (moment matching, checked against its closed form); the reverse KL(q‖p) settles on one once the modes are far enough apart. That is a one-dimensional intuition: it needs a student that cannot represent its target, as a bigram student after \"t\", where the reverse choice is the more concentrated one.":
        "- KL 不对称。用一个高斯去拟合两个峰，正向 KL(p‖q) 会把两个峰都盖住（矩匹配，已与闭式解核对）；"
        "两峰离得足够远时，反向 KL(q‖p) 会停在其中一个上。这只是一维的直觉：它需要一个表示不了目标的学生模型，"
        "比如“t”之后的二元（bigram）学生模型，在那里反向 KL 的选择更集中。",
    "- **Exposure bias** is the mismatch between the correct prefixes a model trains on and the prefixes it writes itself. On-policy distillation trains on the student's own text, graded by the teacher; the divergence is a separate choice.":
        "- **暴露偏差**是模型训练时所见的正确前缀与它自己写出的前缀之间的错配。同策略蒸馏在学生模型自己的文本上训练，由教师模型来打分；"
        "用哪种散度则是另一个独立的选择。",
    "- In the 2 × 2 (data × divergence), on the student's own text, the data effect on its reverse KL to the teacher is {} (interval {} to {}) and the divergence effect {} (interval {} to {}) bits per character.":
        "- 在 2 × 2（数据 × 散度）中，在学生模型自己的文本上，数据对它到教师模型的反向 KL 的效应是 {0}（区间 {1} 到 {2}），"
        "散度的效应是 {3}（区间 {4} 到 {5}），单位是每字符比特数。",
    "- Of {} published findings, {} reproduced here and {} not resolved with three seeds, {} otherwise: {}.":
        "- 在 {0} 项已发表的发现中，这里复现了 {1} 项，用三个种子无定论的 {2} 项，其余 {3} 项是别的结论：{4}。",
    "- Of {} published findings, {} reproduced here and {} not resolved with three seeds: {}.":
        "- 在 {0} 项已发表的发现中，这里复现了 {1} 项，用三个种子无定论的 {2} 项：{3}。",
    "- Kim & Rush's sequence-level students have *higher* perplexity than the baseline; their gain is in decoded translations. Cross-entropy = entropy + KL: bits per character above the floor are the KL from the truth.":
        "- Kim & Rush 的序列级学生模型的困惑度比基线*更高*；他们的收益在解码出的译文上。交叉熵 = 熵 + KL：每字符比特数高出下限的部分，就是与真实分布之间的 KL。",
    "- Every choice (learning rate, T) was made on the validation sentences; the test sentences were scored once; every interval covers the seeds, and those on the test text also the sampling of the test sentences.":
        "- 每个选择（学习率、T）都是在验证集的句子上做的；测试集的句子只评分一次；每个区间都涵盖了种子，测试文本上的区间还涵盖了测试句子的抽样。",
    # names that notebook 08 passes through tr() as values (tests/test_i18n.py NB08_SHOWN)
    "labels": "仅用标签",
    "word-level KD": "词级 KD",
    "word-level, reverse KL": "词级（反向 KL）",
    "sequence-level KD": "序列级 KD",
    "on-policy, forward KL": "同策略（正向 KL）",
    "on-policy, reverse KL": "同策略（反向 KL）",
    "training text": "训练文本",
    "student samples": "学生模型的样本",
    "bpc on the test text": "测试文本上的 bpc",
    "KL(s||t) on the test text": "测试文本上的 KL(s||t)",
    "KL(s||t) on own samples": "自己样本上的 KL(s||t)",
    "grammatical (own samples)": "合乎语法（自己的样本）",
    "entropy of own samples": "自己样本的熵",
    "word-level KD has lower bits/char than labels": "词级 KD 的 bits/char 低于仅用标签",
    "sequence-level KD has higher bits/char than labels (their perplexity)": "序列级 KD 的 bits/char 高于仅用标签（他们的困惑度）",
    "own samples lower the reverse KL on the student's own text": "自己的样本降低学生模型自己文本上的反向 KL",
    "own samples make the student's text more often grammatical": "自己的样本让学生模型的文本更常合乎语法",
    "the reverse KL lowers the entropy of the student's text": "反向 KL 降低学生模型文本的熵",
    "top-1 has higher bits/char than the full distribution": "top-1 的 bits/char 高于完整分布",
    "top-5 is as good as the full distribution (within ±{})": "top-5 与完整分布一样好（差距在 ±{0} 之内）",
    # "reproduced" and "not reproduced" are in the notebook-05 section: one value each, read in both notebooks
    "reproduced (equivalent)": "得到复现（等价）",
    "opposite, resolved": "方向相反，有定论",
    # exercise titles (exercises/nb08.py)
    "sigma of the forward-KL fit, modes of width 0.5 at -2 and +2": "正向 KL 拟合的 sigma：宽度 0.5 的两个峰位于 -2 和 +2",
    "reverse KL, KL(student || teacher)": "反向 KL，即 KL(学生模型 || 教师模型)",
    "tail mass outside the teacher's top 2": "教师模型前 2 名之外的尾部概率质量",
    "KL(truth || labels students) from the bits per character and the entropy": "由每字符比特数和熵求 KL(真实分布 || 仅用标签的学生模型)",
    # ---- notebook 09 (and the package data it shows: conventions.CONVENTIONS, bugzoo.BUGS)
    'largest JSD / h(beta) = {}':
        'JSD / h(beta) 的最大值 = {0}',
    'student gradient norm {}':
        '学生模型的梯度范数 {0}',
    'smallest value {}':
        '最小值 {0}',
    'student moved: {}, teacher moved: {}':
        '学生模型变了：{0}，教师模型变了：{1}',
    'the loss has no graph back to the student':
        '损失没有连回学生模型的计算图',
    'wrong teacher rows from epoch {} on':
        '从第 {0} 轮起教师模型的行对不上',
    'every batch matches':
        '每个批次都对得上',
    '{} digits; teacher accuracy {}, untrained student {}; our recipe: T = {}, alpha (the SOFT weight) = {}':
        '{0} 个数字；教师模型准确率 {1}，未训练的学生模型 {2}；我们的配方：T = {3}，alpha（软损失的权重）= {4}',
    '| library | weights, as the library names them | T² | gotcha | read in |':
        '| 库 | 各库对权重的命名 | T² | 陷阱 | 读自 |',
    'ours: kd_loss(T={}, alpha={}) = {}\n':
        '我们的：kd_loss(T={0}, alpha={1}) = {2}\n',
    'library             its loss   our kwargs                 scale  offset  difference':
        '库                    损失值   换算成我们的参数            缩放    偏移        差值',
    '{} {}   no translation: {}...':
        '{0} {1}   无法换算：{2}...',
    'ratio alpha = 1e-9 over alpha = 0: {}   (T² = {})':
        'alpha = 1e-9 与 alpha = 0 之比：{0}   （T² = {1}）',
    'beta = 0.01 gives {} of the beta = 0 loss it sits next to':
        'beta = 0.01 给出的损失只有紧挨着它的 beta = 0 时的 {0}',
    'bound h(beta) = {}':
        '上界 h(beta) = {0}',
    'a KL: no bound':
        '是 KL：没有上界',
    'ours (soft weight)':
        '我们的（软损失权重）',
    'torchdistill (label weight)':
        'torchdistill（标签权重）',
    'DKD (target-class weight, beta = 8)':
        'DKD（目标类权重，beta = 8）',
    'max |TCKD + (1 - p_t) NCKD - T² KL| over {} examples: {}':
        '{0} 个样本上 |TCKD + (1 - p_t) NCKD - T² KL| 的最大值：{1}',
    "teacher's p_t at T = {}: mean {}, so KD weighs NCKD by {} on average (at T = 1: {}); mean TCKD {}, mean NCKD {}":
        'T = {0} 时教师模型的 p_t：均值 {1}，所以 KD 给 NCKD 的权重平均为 {2}（T = 1 时为 {3}）；TCKD 均值 {4}，NCKD 均值 {5}',
    'bug                             source                                                    check                     buggy  fixed':
        'bug                             出处                                                      检查                      有bug  修复后',
    '                                symptom: {}; the check saw: {}':
        '                                症状：{0}；检查看到的是：{1}',
    "from epoch 2 on, each example gets another example's teacher logits":
        '从第 2 轮起，每个样本拿到的是另一个样本的教师模型 logits',
    "only if the loss name contains 'kl'":
        "仅当损失名称包含 'kl' 时",
    "the 'ce' loss is a KL":
        "名为 'ce' 的损失其实是 KL",
    '-r gamma = labels, -a alpha = KL, -b beta = other':
        '-r gamma = 标签，-a alpha = KL，-b beta = 其他',
    'CE_WEIGHT, KD_WEIGHT (no alpha)':
        'CE_WEIGHT、KD_WEIGHT（没有 alpha）',
    'JSD mixture in log space':
        '在对数空间里做 JSD 混合',
    'JSD mixture weights swapped':
        'JSD 混合权重互换',
    'a non-KL loss gets scaled logits as probabilities':
        '非 KL 损失把缩放后的 logits 当作概率',
    'a third meaning of alpha; no kd_loss equivalent':
        'alpha 的第三种含义；没有等价的 kd_loss',
    'above the bound h(beta) for small or large beta':
        'beta 很小或很大时超过上界 h(beta)',
    'alpha 0 -> 0.1 multiplies the soft term by T^2':
        'alpha 从 0 变为 0.1，软损失会乘上 T^2',
    'alpha = TCKD weight, beta = NCKD weight':
        'alpha = TCKD 权重，beta = NCKD 权重',
    'alpha = labels weight':
        'alpha = 标签权重',
    'alpha = labels weight; beta = soft weight (1 - alpha)':
        'alpha = 标签权重；beta = 软损失权重（1 - alpha）',
    'alpha_ce = soft weight, alpha_mlm = labels':
        'alpha_ce = 软损失权重，alpha_mlm = 标签',
    'beta = JSD interpolation (0 forward KL, 1 reverse)':
        'beta = JSD 插值（0 为正向 KL，1 为反向）',
    'cached logits read by position':
        '按位置读取缓存的 logits',
    'config temperature is the sampling temperature':
        '配置里的 temperature 是采样温度',
    'detached student logits':
        '学生模型 logits 被 detach',
    'first version swapped the models (keras-io#257)':
        '第一版把两个模型弄反了（keras-io#257）',
    'kd_loss_weight, hard_label_weight':
        'kd_loss_weight、hard_label_weight',
    'no':
        '无',
    'not a divergence: non-zero for equal logits, can go negative':
        '不是散度：logits 相同时不为零，还可能为负',
    'only when alpha > 0 and targets given':
        '仅当 alpha > 0 且给了标签时',
    'soft cross-entropy (KL + teacher entropy)':
        '软目标交叉熵（KL + 教师模型的熵）',
    'soft cross-entropy: never 0, even for equal logits':
        '软目标交叉熵：即使 logits 相同也不为 0',
    'soft_target_loss_weight, ce_loss_weight':
        'soft_target_loss_weight、ce_loss_weight',
    'softmax into F.kl_div':
        '把 softmax 结果传给 F.kl_div',
    'student_loss_weight = labels weight':
        'student_loss_weight = 标签权重',
    'teacher and student swapped':
        '教师模型与学生模型互换',
    'teacher on both sides':
        '两边都是教师模型',
    'the KD term trains nothing':
        'KD 项什么也没训练',
    'the loss is always 0: distillation silently off':
        '损失恒为 0：蒸馏悄悄失效',
    'the teacher is trained towards the student':
        '教师模型被训练得向学生模型靠拢',
    'unbounded: a geometric mean, not a mixture':
        '没有上界：是几何平均而不是混合',
    'weights need not sum to 1':
        '权重之和不必为 1',
    'yes (missing in the first version, keras-io#869)':
        '有（第一版漏了，keras-io#869）',
    'yes':
        '有',
    'yes, on both parts':
        '有，两部分都乘',
    # ---- exercise titles (exercises/nbNN.py; the check prints them)
    "parameters of 784-800-800-10": "784-800-800-10 网络的参数个数",
    "fraction of digits with > 1 % on a wrong class": "在某个错误类别上概率超过 1% 的数字所占比例",
    "MACs of the teacher's second convolution": "教师模型第二个卷积层的乘加次数",
    "log of the tempered softmax, stable": "带温度 softmax 的对数（数值稳定）",
    "entropy of a batch of distributions, 0 log 0 = 0": "一批分布的熵，0 log 0 = 0",
    "first T with top probability < 0.5": "首选类别概率首次低于 0.5 的 T",
    "optimiser steps per epoch": "每轮的优化器步数",
    "which model stays in eval() mode while the student's optimiser steps run": "学生模型的优化器更新时，哪个模型要保持 eval() 模式",
    "the line that breaks the cached-logits loop": "让缓存 logits 的循环出错的那一行",
    "KL(p||q) by hand": "手算 KL(p||q)",
    "kd_loss": "kd_loss",
    "shrink factor without T^2, T = 1 to 10": "不乘 T^2 时从 T = 1 到 10 的缩小倍数",
    "the snippet as kd_loss: (alpha, scale)": "把这段代码写成 kd_loss：(alpha, scale)",
    "the snippet fixed": "修好的代码",
    "which reviewer check catches the snippet": "哪一项审查检查能发现这段代码的问题",
}
