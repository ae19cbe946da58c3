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
    # ---- notebook 06
    "train {}, validation {}, test {} digits; teacher: {} test errors":
        "训练集 {0} 个数字，验证集 {1} 个，测试集 {2} 个；教师模型在测试集上有 {3} 个错误",
    "transfer set: {} digits, of which 3s: {}": "迁移集：{0} 个数字，其中 3 有 {1} 个",
    "soft targets on the transfer set, class 3:": "迁移集上的软目标，类别 3 所得的概率：",
    "  T = {}: mean probability {}, digits giving class 3 more than 1 %: {}":
        "  T = {0}：平均概率 {1}，给类别 3 的概率超过 1% 的数字占 {2}",
    "shift chosen on validation, per seed: {}": "在验证集上选出的偏置调整量（每个种子一个）：{0}",
    "test errors (mean ± 95 % CI, 3 seeds)": "测试集错误（均值 ± 95% 区间，3 个种子）",
    "all digits": "全部数字",
    "on 3s": "3 上的错误",
    "3s wrong": "3 的错误率",
    "before the bias correction": "偏置校正前",
    "after it": "校正后",
    "paper (per 10,000; shift tuned on test)": "论文（每 10,000 个；在测试集上调偏置）",
    "the correction fixes {} ± {} wrong 3s and {} ± {} errors overall, per seed (paired)":
        "每个种子上（配对比较），校正多认对 {0} ± {1} 个 3，总错误数减少 {2} ± {3} 个",
    "share of test 3s wrong after the correction: {}, 95 % interval {} to {} over {} seeds: {} {}":
        "校正后测试集中被认错的 3 所占比例：{0}，{3} 个种子上的 95% 区间为 {1} 到 {2}：{4} {5}",
    "above the paper's": "高于论文的",
    "not resolved against the paper's": "未能区别于论文的",
    "paper, speech: soft targets recover {} of the accuracy lost by using 3 % of the data":
        "论文（语音）：只用 3% 的数据所损失的准确率，软目标挽回了其中的 {0}",
    "validation errors / 500, soft targets: ": "验证集错误数 / 500，软目标：",
    "hard labels, seed 0: training accuracy {} at the end; validation loss lowest at epoch {} ({}), {} at epoch 60; validation accuracy {} then, {} at epoch 60":
        "硬标签，种子 0：训练结束时训练准确率 {0}；验证损失在第 {1} 轮最低（{2}），第 60 轮为 {3}；验证准确率在那一轮为 {4}，第 60 轮为 {5}",
    "hard": "硬标签",
    "soft T={}": "软目标 T={0}",
    "{}: train": "{0}：训练集",
    "{}: validation": "{0}：验证集",
    "200 labelled digits (seed 0)": "200 个有标签的数字（种子 0）",
    "validation cross-entropy": "验证集上的交叉熵",
    "validation loss (seed 0)": "验证损失（种子 0）",
    "test accuracy %, mean ± 95 % CI, 4 seeds": "测试准确率 %，均值 ± 95% 区间，4 个种子",
    "ours": "我们的",
    "paper (speech)": "论文（语音）",
    "hard labels, 200 digits": "硬标签，200 个数字",
    "soft targets T={}, 200 digits": "软目标 T={0}，200 个数字",
    "all 3,500 labels": "全部 3,500 个标签",
    "share of the gap recovered": "挽回的差距比例",
    "steps: 60 epochs x 200 digits = {}, 4 epochs x 3,500 digits = {}":
        "优化器步数：60 轮 x 200 个数字 = {0}，4 轮 x 3,500 个数字 = {1}",
    "3,500 inputs, no true labels, 4 epochs": "3,500 个输入，不用真实标签，4 轮",
    "test accuracy %": "测试准确率 %",
    "share of the gap": "挽回的差距比例",
    "soft targets (T = {})": "软目标（T = {0}）",
    "teacher's hard labels (argmax)": "教师模型的硬标签（argmax）",
    "paper (speech, soft targets on 3 %): {}": "论文（语音，3% 数据上的软目标）：{0}",
    "hard minus soft, test errors per seed: {}, 95 % CI [{}, {}] -> {}":
        "硬标签减软目标，每个种子的测试集错误数之差：{0}，95% 区间 [{1}, {2}] → {3}",
    "the soft targets add something beyond the labels": "软目标在标签之外还提供了额外的东西",
    "no difference between soft and hard teacher labels resolved here (the interval contains zero)":
        "这里分辨不出教师模型的软目标与硬标签有差别（区间包含零）",
    "hard labels do better": "硬标签更好",
    "scratch (3,500 labels)": "从头训练（3,500 个标签）",
    "errors, mean ± 95 % CI ({} seeds)": "错误数（{0} 个种子）均值 ± 95%",
    "val / 500": "验证集/500",
    "test / 1,000": "测试集/1,000",
    "paper / 10,000": "论文/10,000",
    "share of the gap closed by distillation: validation {} %, test {} %; paper {}":
        "蒸馏缩小的差距比例：验证集 {0} %，测试集 {1} %；论文 {2}",
    "mean ± 95 % CI, 4 seeds": "均值 ± 95% 区间，4 个种子",
    "β = 0 (logits only)": "β=0（只用 logits）",
    "β = 1 (hint)": "β=1（加 hint）",
    "regressor error, training digits": "回归器误差，训练集数字",
    "{} (untrained)": "{0}（未训练）",
    "linear probe error, validation digits": "线性探针误差，验证集数字",
    "validation errors / 500": "验证集错误数 / 500",
    "test errors / 1,000": "测试集错误数 / 1,000",
    "probe error, logits only minus hint: {}, 95 % CI [{}, {}]":
        "探针误差之差（只用 logits 减去加 hint）：{0}，95% 区间 [{1}, {2}]",
    "test errors, logits only minus hint: {}, 95 % CI [{}, {}]":
        "测试集错误数之差（只用 logits 减去加 hint）：{0}，95% 区间 [{1}, {2}]",
    "\n- The **transfer set** is what the student learns from; it needs no labels.\n"
    "- A student distilled without any 3 recognises most test 3s; one bias, chosen on validation, fixes\n"
    "  {} ± {} more of them per seed. Before the correction our students miss\n"
    "  {} of the test 3s against the paper's {}; after it\n"
    "  {} against {} ({} value, with {} seeds),\n"
    "  and the paper's shift was tuned on its test set.\n":
        "\n- **迁移集**就是学生模型学习所用的输入；它不需要标签。\n"
        "- 蒸馏时一个 3 都没见过的学生模型，也能认出测试集中大多数的 3；只调一个偏置（在验证集上选定），"
        "每个种子又多认对 {0} ± {1} 个。校正前，我们的学生模型认错了测试集中 {2} 的 3，论文是 {3}；"
        "校正后是 {4}，论文是 {5}（{6}值，{7} 个种子），而且论文的调整量是在它的测试集上调出来的。\n",
    "- From 200 labelled digits, soft targets beat hard labels for every seed but recover\n"
    "  {} of the lost accuracy, far less than the paper's {}. Given the other\n"
    "  3,300 inputs to label, soft targets recover {} and the teacher's hard labels\n"
    "  {}: that is pseudo-labelling on more inputs, not yet evidence that soft targets\n"
    "  close a small-data gap.\n"
    "- Plain distillation closes {} of the scratch-to-teacher gap on test and\n"
    "  {} on validation ({} seeds), against the paper's\n"
    "  {}; seed intervals leave out the sampling of the digits (notebook 05).\n"
    "  What closes more of the gap, and what a control says about why: notebook 10.\n"
    "- Judge a hint against a linear probe, not against an untrained regressor, and over seeds.\n":
        "- 只有 200 个有标签的数字时，软目标在每个种子上都胜过硬标签，但只挽回了损失的准确率中的 {0}，"
        "远低于论文的 {1}。再把训练集另外 3,300 个输入交给教师模型去标注，软目标挽回 {2}，教师模型的硬标签挽回 {3}："
        "这是在更多输入上做伪标签，还不能证明软目标能单独弥补数据少造成的差距。\n"
        "- 从头训练的学生模型与教师模型之间的差距，普通蒸馏在测试集上缩小了 {4}，在验证集上缩小了 {5}"
        "（{6} 个种子），论文是 {7}；种子上的区间没有计入数字抽样带来的不确定性（05 篇）。"
        "什么能把差距缩得更小，对照组又说明了原因何在：见 10 篇。\n"
        "- 评判 hint 要对照线性探针，而不是未训练的回归器，并且要看多个种子。\n",
    # exercise titles of notebook 06 (exercises/nb06.py)
    "test 3s right after the bias correction": "偏置校正后测试集中认对的 3 的个数",
    "share of the scratch-to-teacher gap closed": "从头训练与教师模型之间的差距被缩小的比例",
    "linear probe error on validation": "线性探针在验证集上的误差",
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
