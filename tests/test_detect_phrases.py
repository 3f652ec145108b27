"""Whole phrases in many outlets' styles: the exact set of event types each must give.

Written for this project (not taken from ../shared); each line is a small regression test of
meaning: morphology, negation, plans, threats, look-alikes, arguments.
"""

from __future__ import annotations

import pytest

from worker.detect import detect

PHRASES: list[tuple[str, set[str]]] = [
    # a ta marbuta read as ت only before a pronoun: the verb دفعت is no "batch" of evacuees
    ('دفعت حالة القلق بعض السكان إلى مغادرة منازلهم كإجراء احترازي', {'displacement'}),
    ('غادرت الدفعة الأولى من سكان الحي المحاصر باتجاه الشمال', {'evacuation', 'siege'}),
    # a call for a corridor is no evacuation; an army's warning that calls people out orders one
    ('دعت المنظمة الدولية إلى السماح بممر آمن يتيح للمدنيين مغادرة المدينة', set()),
    ('أصدر الجيش تحذيرا عاجلا صباح اليوم دعا فيه العاملين في الميناء إلى الإخلاء الفوري', {'evacuation'}),
    ('تعذر دخول المنظمات إلى الأحياء بسبب انعدام الممرات الإنسانية الآمنة', set()),
    ('خرجت العائلات من الحي عبر المعابر الآمنة التي حددتها السلطات', {'evacuation'}),
    # people forced out of their homes are displaced, not evacuated
    ('أجبرت القوات الأهالي على إخلاء منازلهم تحت تهديد السلاح', {'displacement'}),
    # a siege drawn near or set as an aim is a risk; going back to it is a siege
    ('تقترب القوات، بدعم من الطيران الحربي، من حصار المدينة', {'siege_risk'}),
    ('تتجه الفصائل لتطويق العاصمة من ثلاث جهات', {'siege_risk'}),
    ('عادت القوات في ديسمبر الماضي لتطويق المدينة مجددا', {'siege'}),
    ('تعرضت البلدة لحصار خانق طوال الشتاء', {'siege'}),
    ('تتحدث أنباء عن نية القوات محاصرة القرى الشرقية', {'siege_risk'}),
    # a name in quotes does not end the clause of the aim it stands in; a town cut off is a siege
    ('وتهدف "خطة الجنرالات" إلى فرض حصار كامل على شمال القطاع', {'siege_risk'}),
    ('عزلت القوات البلدة عن محيطها بسواتر ترابية', {'siege'}),
    ('تحركت القوات شمالا لعزل المدينة عن ريفها', {'siege_risk'}),
    # what people need is not done; troops who flee are not displaced, people a force drives out are
    ('ما زال آلاف المرضى بحاجة ماسة إلى الإجلاء الطبي العاجل', set()),
    ('سيطر التنظيم على البلدة بعد فرار قوات الحراسة منها', {'control_change'}),
    ('هجرت قوات الاحتلال عشرات العائلات من تجمع بدوي شرق المدينة', {'displacement'}),
    # an arrest warrant, a prisoner on the run, water behind a dam: no event
    ('أصدرت النيابة مذكرة اعتقال بحق الوزير السابق', set()),
    ('نظرت المحكمة في قضية فرار سجين من المؤسسة العقابية', set()),
    ('نبحث عن سبل الخروج من حصار الأزمات التي تواجهنا', set()),
    # bombs found and destroyed, a bridge opened for city traffic, snow sweeping a region: no events
    ('أعلنت وزارة الدفاع كشف وتدمير قنبلة تقليدية الصنع بالولاية', set()),
    ('قال المحافظ إن افتتاح الجسر سيسهم في تخفيف الزحام المروري', set()),
    ('تعطل الدوام الرسمي بسبب الثلوج التي اجتاحت المنطقة', set()),
    # بغاية (Maghrebi "in order to") is an aim; what "can" be done is a possibility
    ('تعهدت الوحدة بمواصلة الأبحاث بغاية القبض على المتورطين', set()),
    ('قال الخبير إنه يمكن فرض حصار على الميناء خلال أيام', {'siege_risk'}),
    # aid held up: waiting to pass, its supply cut or disrupted, hard to deliver
    ('آلاف الشاحنات المحملة بالمساعدات تنتظر العبور منذ أيام', {'aid_blocked'}),
    ('قررت السلطات وقف تزويد المدينة بالوقود والكهرباء', {'aid_blocked'}),
    ('يتعطل إدخال الوقود وغاز الطهي إلى القطاع منذ أسبوع', {'aid_blocked'}),
    ('تتفاقم الأزمة مع صعوبة وصول المساعدات إلى السكان', {'aid_blocked'}),
    # a siege tightened as an aim (ل + a masdar of the form تفعيل) is a risk; ليفرض tells what was done
    ('وصلت تعزيزات من المليشيا لتكثيف الحصار على المدينة', {'siege_risk'}),
    ('عاد الجيش ليفرض حصارا على البلدة', {'siege'}),
    # a stop that did not happen: the shelling goes on
    ('قالت مصادر إن القوات لم توقف قصف المخيم منذ أيام', {'strike'}),
    ('لم يتوقف القصف على الأحياء الشرقية طوال الليل', {'strike'}),
    ('توقف القصف على الأحياء الشرقية منذ مساء أمس', set()),
    # a recommendation is a call; fire control and "the situation" are no control change
    ('أوصت الأجهزة الأمنية بغلق الحدود مع الإقليم بصفة نهائية', set()),
    ('باتت المنطقة تحت السيطرة النارية للقوات بعد تقدمها', set()),
    ('تمكن الدفاع المدني من السيطرة على الوضع في وقت قياسي', set()),
    ('اجتاحت الثلوج معظم مناطق الإقليم الجبلية', set()),
    # نادي الأسير is an association, not a call (نادى)
    ('قال نادي الأسير إن قوات الاحتلال اعتقلت عشرين مواطنا في الضفة', {'detention'}),
    # arrests told as أوقف with the charge, or as ضبط of violators; violations are no people
    ('أوقف زعيم الحراك صباح الاثنين بتهمة المساس بأمن الدولة', {'detention'}),
    ('أسفرت الحملة الأمنية عن ضبط عشرات المخالفين في المحافظات', {'detention'}),
    ('أعلنت الوزارة غلق محال تجارية بعد ضبط مخالفات في الأوزان', set()),
    # تشرد: people made homeless by fighting; not homelessness as a social state, not a film
    ('تشردت مئات العائلات جراء القتال الدائر في الولاية', {'displacement'}),
    ('كان الرجل يعيش حالة التشرد منذ سنوات', set()),
    ('افتتح المهرجان بفيلم "نزوح" للمخرجة السورية', set()),
    ('أغلقت السلطات الأردنية معبر جابر الحدودي مع سوريا حتى إشعار آخر', {'crossing_closure'}),
    ('قررت السلطات التركية إغلاق معبر باب الهوى أمام الحركة التجارية', {'crossing_closure'}),
    ('أعلنت مصر إعادة فتح معبر رفح البري أمام العالقين', {'crossing_reopening'}),
    ('استأنف معبر نصيب العمل بعد توقف دام أسبوعين', {'crossing_reopening'}),
    ('عادت الحركة إلى طبيعتها في معبر الكرامة', {'crossing_reopening'}),
    # قد before a past verb is "had", before a present one "may"
    ('وقد تمكنت القوات من السيطرة على البلدة بعد معارك عنيفة', {'control_change'}),
    ('قد تواجه البلدة حصارا خانقا إذا تقدمت القوات', {'siege_risk'}),
    # a siege that goes on is in force, even when its going on is feared
    ('حذر ناشطون من كارثة إنسانية في حال استمر الحصار على المدينة', {'siege'}),
    # a postponed opening is no reopening; a denial in the masdar
    ('تأجل فتح المعبر الحدودي بسبب أعمال الصيانة', set()),
    ('أكدت السفارة عدم صحة ما تردد عن إغلاق المعبر الحدودي', set()),
    # the head of a name (جيش تحرير ...) is never definite: الجيش + تحرير is a liberation
    ('أعلن الجيش تحرير مدينة تكريت من المسلحين', {'control_change'}),
    ('قال قائد في جيش تحرير السودان إن الوضع هادئ في المدينة', set()),
    # "a stone's throw" is no football goal
    ('سيطر الجيش على بلدة الدندر وبات على مرمى حجر من سنجة', {'control_change'}),
    # the main clause's cue does not reach an event told as its time (بعد، عقب، إثر)
    ('علقت الشركات رحلاتها إلى المدينة بعد قصفها بالطائرات المسيرة', {'strike'}),
    ('أعيد فتح معبر جابر إثر إغلاقه يومين بسبب الاشتباكات', {'crossing_reopening'}),
    # flights stop at an airport the gazetteer names, quoted or not; a bare المطار is no crossing
    ('علقت السلطات الرحلات من وإلى مطار "معيتيقة" بسبب القصف', {'crossing_closure', 'strike'}),
    ('توقفت الرحلات في المطار بسبب الضباب الكثيف', set()),
    # a force that tells people to leave orders an evacuation; others only call for one
    ('دعا الجيش السكان إلى إخلاء منازلهم في الأحياء الشرقية فورا', {'evacuation'}),
    ('طالب الأهالي الجيش بإخلاء المعسكر من وسط المدينة', set()),
    ('دعت منظمات إنسانية إلى إخلاء السكان من الأحياء الشرقية', set()),
    # control: a hill taken; a place falling (present tense); a battle that ended in control
    ('استولت الفصائل على تل استراتيجي قرب البلدة', {'control_change'}),
    ('تسقط البلدة تباعا في أيدي المسلحين', {'control_change'}),
    ('انتهت المعارك بسيطرة الجيش على كامل المدينة', {'control_change'}),
    # a crossing cut; a border crossed on foot is no closure
    ('أدى القصف إلى قطع معبر جوسية الحدودي', {'crossing_closure', 'strike'}),
    ('قطع اللاجئون الحدود سيرا على الأقدام', set()),
    # a siege to be avoided is a risk; "besieged by famine" is no siege; a port's new terminal is no reopening
    ('تتقدم القوات لتجنب حصار المدينة من الجهة الشمالية', {'siege_risk'}),
    ('يعاني سكان القرية المحاصرة بالمجاعة من أوضاع صعبة', set()),
    ('افتتح الوزير محطة الحاويات الجديدة في الميناء الجنوبي', set()),
    # a new statement by the same speaker (مشيرا إلى، مؤكدا أن) is beyond the reach of the cues before it
    ('أعلنت الإدارة تعليق الرحلات مؤقتا، مشيرة إلى إخلاء المطار من المسافرين', {'evacuation'}),
    ('نفى المتحدث وقوع اشتباكات، مؤكدا أن القوات أغلقت معبر نصيب أمام الشاحنات', {'crossing_closure'}),
    # basic supplies and shelter are aid; restricting its entry blocks it
    ('تمنع السلطات دخول الإمدادات الأساسية إلى المنطقة منذ أسبوع', {'aid_blocked'}),
    ('أدى القصف إلى تقييد دخول المساعدات الإنسانية إلى القطاع', {'aid_blocked', 'strike'}),
    ('تمنع القوات دخول الخيام إلى المخيم مع اقتراب الشتاء', {'aid_blocked'}),
    # control: announced in the present (يعلن تحرير), achieved (استطاعت السيطرة)
    ('قائد الجيش يعلن تحرير مدينة الرمادي بالكامل', {'control_change'}),
    ('استطاعت الفصائل السيطرة على الطريق الدولي قرب البلدة', {'control_change'}),
    # held by a force as a state; an air campaign; easing a siege leaves it in force
    ('قالت النقابة إن خمسة صحفيين ما زالوا معتقلين لدى الأجهزة الأمنية', {'detention'}),
    ('نزحت مئات العائلات بعد حملة جوية عنيفة على القرى', {'displacement', 'strike'}),
    ('أطلق الوجهاء مبادرة بهدف تخفيف الحصار المفروض على المدينة', {'siege'}),
    # بعدما is "after", not ب + عدم (a negation)
    ('انسحب الجنود من المعبر بعدما سيطر المسلحون على المدينة', {'control_change'}),
    ('خسرت الفصائل المعارضة في مدينة حلب اليوم سيطرتها على كامل الجزء الشمالي', {'control_change'}),
    # words that only look like cues: الكيان (no كي), الكسرة (a town, no كسر), حذران (a crossing, no حذر);
    # الدراسة is schooling, whose resumption is no reopening
    ('فرضت قوات الكيان حصارا على المخيم', {'siege'}),
    ('في بلدة الكسرة فرضت القوات حصارا على المسلحين', {'siege'}),
    ('قرب منفذ حذران فرضت الميليشيا حصارا على الأحياء', {'siege'}),
    ('استؤنفت الدراسة في المدارس وأغلق المعبر الحدودي أمام الشاحنات', {'crossing_closure'}),
    # وزارة الداخلية is no "inside" (a standing division of control)
    ('أكدت وزارة الداخلية سيطرة قوات الأمن على المدينة بعد اشتباكات', {'control_change'}),
    # drills and resorts are no evacuation
    ('أسفرت التجربة الوهمية عن إخلاء 400 طالب من مبنى المدرسة في دقيقتين', set()),
    ('أعلنت السلطات إخلاء سبعة فنادق وموقعين للتخييم في منتجع ساحلي بعد اندلاع حريق', set()),
    # what is prevented or retracted did not happen
    ('تمنع الميليشيات إجلاء الجرحى من المدينة منذ أيام', set()),
    ('قالت الإدارة إن السلطات تراجعت عن قرارها بفتح المعبر الذي كان مقررا اليوم', set()),
    # an opening renewed or kept, opening hours, and a man named فتحي are no reopening
    ('اشترط الوزير شرطين لتجديد فتح معبر أدري أمام المساعدات', set()),
    ('قال فلسطينيون إن مواعيد فتح هذه البوابات غير منتظمة', set()),
    ('قال المتحدث محمد فتحي إن منفذ القائم ما يزال مغلقا', {'crossing_closure'}),
    # a place retaken as a pronoun; "until it is retaken" is not yet
    ('ظلت المدينة تحت سيطرة المتمردين حتى استعادها الجيش في الشتاء', {'control_change'}),
    ('اتخذت الحكومة المدينة مقرا لها لحين استعادتها من قبضة المسلحين', set()),
    # "after" belongs to the nearer event: the reopening after a closure is no background
    ('بعد سنوات من إغلاقه، أعيد فتح معبر القائم الحدودي في حفل رسمي', {'crossing_reopening'}),
    # a call whose own subject is no force is a call, even with an army named before it
    ('انتشر الجيش في وقت طالب برنامج الأغذية بتأمين ممرات آمنة للمدنيين', set()),
    # people who leave their homes for the fighting are displaced; under a deal they are evacuated
    ('غادر المئات من سكان القرى الحدودية منازلهم بسبب القصف العنيف على المنطقة', {'displacement', 'strike'}),
    ('غادر المقاتلون وعائلاتهم منازلهم في البلدة بموجب اتفاق التسوية بعد أشهر من القصف', {'evacuation', 'strike'}),
    # the displaced named with what drove them out; refugees hosted for years are no event
    ('تحتاج العائلات النازحة نتيجة الاشتباكات الأخيرة إلى مساعدات عاجلة', {'displacement'}),
    ('يستضيف البلد آلاف اللاجئين منذ سنوات طويلة', set()),
    ('فرضت قوات الدعم السريع حصاراً على مدينة الفاشر', {'siege'}),
    ('تعيش مضايا تحت الحصار منذ أشهر', {'siege'}),
    ('حذر مسؤولون أمميون من أن المدينة قد تواجه حصاراً خانقاً', {'siege_risk'}),
    ('منعت السلطات الإسرائيلية دخول شاحنات المساعدات إلى شمال غزة', {'aid_blocked'}),
    ('لم تصل أي قافلة إغاثة إلى المدينة منذ ثلاثة أشهر', {'aid_blocked'}),
    ('نهبت مجموعات مسلحة شاحنات برنامج الأغذية العالمي', {'aid_blocked'}),
    ('بدأت عملية إجلاء المدنيين من الأحياء الشرقية', {'evacuation'}),
    ('أصدر الجيش أوامر إخلاء لسكان عشرات الأحياء', {'evacuation'}),
    ('أحكمت القوات سيطرتها على مدينة سراقب', {'control_change'}),
    ('دخلت قوات النظام مدينة خان شيخون بعد انسحاب الفصائل', {'control_change'}),
    ('شن الطيران الحربي غارات على مدن وبلدات ريف إدلب', {'strike'}),
    ('استهدفت طائرة مسيرة سيارة في ريف درعا', {'strike'}),
    ('قصف مدفعي عنيف طال أحياء المدينة', {'strike'}),
    ('اعتقلت قوات الاحتلال عشرين فلسطينياً في الضفة الغربية', {'detention'}),
    ('شنت الأجهزة الأمنية حملة اعتقالات واسعة', {'detention'}),
    ('نزحت آلاف العائلات من ريف حماة الشمالي', {'displacement'}),
    ('فر آلاف المدنيين من منازلهم هرباً من القصف', {'displacement', 'strike'}),
    ('اضطرت مئات الأسر إلى ترك منازلها في القرية', {'displacement'}),
    ('أغلقت بورصة دبي على ارتفاع', set()),
    ('افتتح الوزير معرض الكتاب في العاصمة', set()),
    ('قد تغلق السلطات المعبر إذا تدهور الوضع', set()),
    ('رفضت إسرائيل فتح معبر رفح أمام المسافرين', set()),
    ('أجلت المحكمة النظر في القضية إلى الشهر المقبل', set()),
    ('نزوح جماعي للمستثمرين من السوق المالية', set()),
    ('سيطرت حالة من الهلع على السكان', set()),
    ('الحكومة تدرس إغلاق المعابر الحدودية', set()),
    ('أغلقت الشرطة الطريق المؤدي إلى الملعب قبل المباراة', set()),
    ('حاصرت الشرطة منزل المشتبه به واعتقلته', {'detention'}),
    ('تغلق المدارس أبوابها خلال عطلة العيد', set()),
    ('قتل خمسة أشخاص في غارة جوية على سوق شعبي', {'strike'}),
    ('تتواصل عمليات الإجلاء من مطار كابل', {'evacuation'}),
    ('أعلن الجيش الإسرائيلي فتح ممر آمن لخروج السكان نحو الجنوب', {'evacuation'}),
    ('سمحت السلطات بدخول 50 شاحنة مساعدات عبر معبر كرم أبو سالم', set()),
    ('أعيد فتح الطريق الدولي أمام حركة السير', set()),
    ('توقفت حركة الملاحة في ميناء الحديدة بسبب القصف', {'crossing_closure', 'strike'}),
    ('أغلقت إسرائيل جسر الملك حسين أمام المسافرين', {'crossing_closure'}),
    ('اختطف مسلحون مجهولون ثلاثة من موظفي الإغاثة', {'detention'}),
    ('الجيش يطوق البلدة ويمنع الدخول والخروج منها', {'siege'}),
    ('أكدت مصادر أن المعبر سيبقى مغلقاً حتى إشعار آخر', {'crossing_closure'}),
    ('تعليق العمل بمعبر رأس جدير إلى أجل غير مسمى', {'crossing_closure'}),
    ('غلق البوابة الحدودية بين البلدين بسبب الأحداث', {'crossing_closure'}),
    ('السلطات المغربية تقرر غلق المعبر الحدودي بني انصار', {'crossing_closure'}),
    ('اغلاق منفذ الوديعة امام الشاحنات', {'crossing_closure'}),
    ('أعلنت وزارة الداخلية إعادة فتح المنافذ البرية مع المملكة', {'crossing_reopening'}),
    ('تواصل قوات الاحتلال حصارها المشدد على مخيم جنين لليوم العاشر', {'siege'}),
    ('ضربت القوات طوقاً أمنياً حول البلدة ومنعت الدخول إليها', {'siege'}),
    ('تخشى الأمم المتحدة أن يؤدي إغلاق الطرق إلى حصار كامل للمدينة', {'siege_risk'}),
    ('عرقلت الميليشيات وصول المساعدات الإنسانية إلى المدنيين', {'aid_blocked'}),
    ('أجلت فرق الدفاع المدني عشرات العائلات من المباني المهددة بالانهيار', {'evacuation'}),
    ('وصلت الدفعة الأولى من المهجرين إلى الشمال السوري بعد خروجهم بموجب اتفاق التسوية', {'evacuation'}),
    ('أحكم الجيش قبضته على كامل المدينة بعد معارك عنيفة', {'control_change'}),
    ('استعادت القوات الحكومية السيطرة على حقل الشرارة النفطي', {'control_change'}),
    ('قتل عشرة مدنيين في قصف جوي استهدف مستشفى في المدينة', {'strike'}),
    ('شنّت مقاتلات التحالف سلسلة غارات على مواقع الحوثيين', {'strike'}),
    ('داهمت قوات الأمن منزل الناشط واعتقلته', {'detention'}),
    ('تم توقيف ثلاثة أشخاص للاشتباه في تورطهم', {'detention'}),
    ('تسبب القتال بتهجير آلاف السكان من قراهم', {'displacement'}),
    ('موجة نزوح جديدة من الفاشر نحو طويلة', {'displacement'}),
    ('لم يتم إغلاق المعبر حتى الآن رغم التهديدات', set()),
    ('نفت إدارة المعبر ما تم تداوله عن إغلاقه', set()),
    # a reporting verb inside what is denied is no new statement
    ('نفت الوزارة الأنباء التي ذكرت إغلاق المعبر', set()),
    ('قال إنه لا صحة لما ذكر بخصوص إغلاق المنافذ الحدودية', set()),
    ('نفى الجيش الشائعات، وذكر أن القوات أغلقت المعبر', {'crossing_closure'}),
    ('طالب نواب بإعادة فتح معبر رفح بشكل دائم', set()),
    ('أغلقت أسواق الأسهم الخليجية على تباين', set()),
    ('فتح باب التسجيل في الجامعة', set()),
    ('سيطرت الأجواء الباردة على معظم مناطق المملكة', set()),
    ('قصف إعلامي متبادل بين الفريقين قبل المباراة', set()),
    ('حاصر المعجبون النجم لالتقاط الصور', set()),
    ('اعتقال الحمار الذي عرقل حركة المرور', set()),
    ('قالت مصادر إن السلطات أبقت معبر الكرامة مغلقاً لليوم الثالث', {'crossing_closure'}),
    ('المعبر مغلق منذ أسبوعين أمام حركة البضائع', {'crossing_closure'}),
    ('تم إغلاق جميع المنافذ الحدودية تحسباً لأي طارئ', {'crossing_closure'}),
    ('وأغلق الجيش الإسرائيلي حاجز قلنديا العسكري ومنع المواطنين من المرور', {'crossing_closure'}),
    ('إسرائيل تغلق المعابر مع غزة وتمنع إدخال الوقود', {'aid_blocked', 'crossing_closure'}),
    ('أغلقت السلطات الليبية معبر رأس اجدير الحدودي مع تونس من الجانب الليبي', {'crossing_closure'}),
    ('سمحت السلطات بعبور المسافرين بعد فتح المعبر جزئياً', {'crossing_reopening'}),
    ('افتتاح منفذ جديد على الحدود مع العراق', {'crossing_reopening'}),
    ('المدينة ترزح تحت حصار خانق منذ أكثر من عام', {'siege'}),
    ('الأهالي المحاصرون في البلدة يعانون من نقص حاد في الغذاء', {'siege'}),
    ('حذر ناشطون من أن البلدة باتت مهددة بالحصار بعد قطع الطريق الوحيد', {'siege_risk'}),
    ('تسعى القوات إلى إطباق الحصار على المدينة من جميع الجهات', {'siege_risk'}),
    ('مخاوف من حصار جديد لمخيم اليرموك', {'siege_risk'}),
    ('يعيش سكان المخيم حالة من الخوف بعد إغلاق مداخله وفرض حصار عليه', {'siege'}),
    ('أعلنت القوات فرض حصار كامل على المدينة', {'siege'}),
    ('لم تشهد المدينة أي حصار طوال الحرب', set()),
    ('نفى المتحدث باسم الجيش فرض أي حصار على البلدة', set()),
    # A call to lift a siege says the siege is in force (so label real-news analysts, four of four).
    ('دعت المنظمات الحقوقية إلى رفع الحصار المفروض على البلدة', {'siege'}),
    ('رفعت القوات الحصار عن البلدة بعد اتفاق التسوية', set()),
    ('فرضت القوات حصارا على البلدة وأغلقت جميع الحواجز المؤدية إليها', {'siege'}),
    ('أغلقت القوات الحواجز المحيطة بالبلدة', {'crossing_closure'}),
    ('شهدت أسواق المدينة حركة نشطة بعد إعادة فتح المحلات التجارية', set()),
    ('حققت الشركة أرباحاً بعد سيطرتها على حصة كبيرة من السوق', set()),
    ('أغلقت الجامعة أبوابها بسبب الإضراب', set()),
    ('اعتبر المحلل أن الحصار الإعلامي على القضية مستمر', set()),
    ('منتخب مصر يحاصر مرمى المنافس في الشوط الأول', set()),
    ('فتحت الشرطة تحقيقاً في حادث إطلاق النار قرب الحاجز', set()),
    ('عبر الوزير عن أمله في فتح صفحة جديدة بين البلدين', set()),
    ('يتوقع أن يعاد فتح المعبر الأسبوع المقبل', {'crossing_reopening'}),
    ('يحاصر المرض المزمن آلاف المرضى في المدينة', set()),
    ('حاصرت الأسئلة المسؤول خلال المؤتمر الصحفي', set()),
    ('طوقت الشرطة مكان الحادث وبدأت التحقيق', set()),
    ('فرضت الولايات المتحدة عقوبات مالية على شركات إيرانية', set()),
    ('أغلق الرئيس ملف القضية نهائيا', set()),
    ('أغلقت الشركة فرعها في المدينة', set()),
    ('تم إغلاق الحدود الجوية أمام الطيران المدني', set()),  # airspace, like المجال الجوي: no crossing
    ('أعلنت المدرسة فتح أبوابها للطلاب الجدد', set()),
    ('يتوقع المحللون أن يفتح السوق على ارتفاع', set()),
    ('أغلق باب الترشح للانتخابات البلدية مساء أمس', set()),
    ('الحصار المفروض على القطاع منذ 2007 أدى إلى انهيار الاقتصاد', {'siege'}),
    ('حصار غزة مستمر منذ سنوات', {'siege'}),
    ('يعاني المرضى من صعوبة العبور عبر الحواجز العسكرية', set()),
    ('نصب الجيش حاجزاً عسكرياً جديداً على مدخل البلدة', set()),
    ('أقيمت حواجز أمنية في محيط الملعب', set()),
    # A one-letter abbreviation ends no sentence: the denial still reaches the closure.
    ('نفى المتحدث د. سامي إغلاق المعبر', set()),
    ('لم يتم الإعلان بعد عن إغلاق المعابر الأخرى', set()),
    ('أجلت الحكومة مرة أخرى فتح المعبر', set()),
    ('قال إنه لا معلومات عن فتح المعبر حتى الآن', set()),
    ('حدودنا الجوية مغلقة منذ أسبوع', set()),
    ('دعت المنظمة إلى إنشاء ممرات آمنة لتسهيل النزوح', set()),
    # A siege that is easy, planned, aimed at or sought is a risk.
    ('من السهل حصار البلدة لأنها على طريق واحد', {'siege_risk'}),
    ('الحملة مستمرة حتى يتم تطويق المدينة بالكامل', {'siege_risk'}),
    ('تشمل الخطة تطويق المدينة وقطع طرقها', {'siege_risk'}),
    ('اتهم المسؤول الميليشيا بالسعي إلى محاصرة البلدة', {'siege_risk'}),
    # A condition after another event in its own clause is that event's.
    ('فرضت الفصائل طوقا على الثكنة، مهددة باقتحامها إذا لم تنسحب القوات', {'siege'}),
    ('ما زالت القوات تحاصر المجمع الحكومي', {'siege'}),
    # "After three days" is a time, not a past state.
    ('أغلقت السلطات معبر نصيب يوم الأحد، وبعد ثلاثة أيام فتحت المعبر أمام المسافرين',
     {'crossing_closure', 'crossing_reopening'}),
    # A call to tighten a siege warns of it; a call to lift one says it is in force.
    ('دعا الوزير إلى تشديد الحصار على المدينة', {'siege_risk'}),
    ('طالبت المنظمات برفع الحصار عن المدينة', {'siege'}),
    ('تحركت الميليشيا نحو العاصمة لتحاصر الحكومة في مقرها', {'siege_risk'}),
    # Ambulances kept out, convoys halted on the way.
    ('منعت القوات سيارات الإسعاف من دخول المخيم', {'aid_blocked'}),
    ('لا تزال قوافل الغذاء المتجهة إلى المخيم متوقفة عند الحاجز', {'aid_blocked'}),
    # A ل on the nearest carrier makes an aim, whatever verb carries it in turn.
    ('نفذت الشرطة حملة أمنية لبسط سيطرة الأمن على أحياء المدينة', set()),
    # A failed outcome of an event is no denial of it; a failed attempt still is.
    ('لم تفلح الغارات الجوية على البلدة في وقف تقدم المقاتلين', {'strike'}),
    ('لم تنجح القوات في اقتحام البلدة', set()),
    ('أعلن الجيش المنطقة الحدودية منطقة عسكرية مغلقة', set()),
    ('اعتقلت القوات منفذي العملية قرب الحاجز', {'detention'}),
    ('أوقفت الأجهزة الأمنية، الأربعاء، عددا من المتظاهرين في العاصمة', {'detention'}),
    ('داهمت القوات المنازل بحثا عن مطلوبين واعتقلت شابين', {'detention'}),  # "in search of", no study
    ('يتخوف الأهالي من عودة الحصار إلى البلدة', {'siege_risk'}),
    ('أدانت المعارضة محاولات النظام إعادة حصار الأحياء الشرقية', {'siege_risk'}),
    ('قرر المجلس إغلاق قنوات التواصل مع الصحافة', set()),
    ('دخلت الأحياء الخاضعة لسيطرة المعارضة في حصار مطبق', {'siege'}),
    ('فمفهوم الحصار يعني منع الدولة المحاصرة من تلقي السلع', set()),
    ('أجلت السلطات آلاف السياح من المنتجعات الساحلية قبل وصول الإعصار', set()),
    ('فر آلاف السياح من المنتجعات مع اقتراب العاصفة', set()),
    # Headlines tell take-overs in the present tense; body sentences describe who holds an area.
    ('قوات المعارضة تسيطر على مدينة حماة', {'control_change'}),
    ('تسيطر القوات الكردية على مدينة القامشلي منذ سنوات.', set()),
    # A condition right after a threat is the threat's; after a comma it makes the event only possible.
    ('هدد الوزير بقصف المطار إذا استمرت الهجمات', {'strike'}),
    ('هدد الرئيس بإغلاق الحدود، إذا لم تتوقف الهجرة', set()),
    ('قال الوزير إن فتح الحدود مع الجارة ليس واردا في الوقت الحالي', set()),
    ('منعت السلطات استيراد مئات السلع بينها منتجات غذائية', set()),
    ('تم اعتراض الصاروخ قبل وصوله إلى المطار', set()),
    ('هربت العائلات من القصف في المدينة', {'displacement', 'strike'}),
    ('سنفرض حصارا جويا على المطارات', {'siege_risk'}),
    ('أعلن الجيش فتح معبرين إنسانيين آمنين لخروج المدنيين', {'evacuation'}),
    ('واصل المعتقلون الإضراب عن الطعام احتجاجا على احتجازهم', {'detention'}),
    # An advance aimed at a siege, a country "about to face" one, a move to "try" one: risks.
    ('تواصل القوات تقدمها في المنطقة لفرض حصار شامل على المسلحين', {'siege_risk'}),
    ('لبنان مقبل على حصار بري وجوي', {'siege_risk'}),
    ('قطع التنظيم الطريق محاولا حصار البلدة', {'siege_risk'}),
    # Alleged, quarantined, economic and figurative sieges; a possible or pressed-for closure.
    ('تحدثت الصحيفة عن حصار البلدة المزعوم', set()),
    ('أعلنت السلطات عزل عدة أحياء لمكافحة تفشي فيروس كورونا', set()),
    ('بدأت آثار الحصار الخليجي تظهر على الأسواق', set()),
    ('اتجهت الأحزاب إلى تطويق الخلافات بينها', set()),
    ('وأضافت أن الإغلاق المحتمل للمعبر ستكون له عواقب وخيمة', set()),
    ('تضغط روسيا لإغلاق المعبر في مجلس الأمن', set()),
    # A warning reaches the siege it warns of over a long object; a feared tightening is a risk.
    ('حذر المتحدث العسكري باسم الجيش، المدنيين في الإقليم، من حصار العاصمة', {'siege_risk'}),
    ('حذر مسؤولون أمميون من تفاقم الحصار المفروض على المخيم', {'siege_risk'}),
    ('أعرب عن قلقه إزاء الحصار المفروض على القطاع منذ سنوات', {'siege'}),
    ('حققت الفصائل تقدما تجلى في تحرير البلدات المحيطة', {'control_change'}),
    # Refusing to approve aid blocks it; "cannot" is a negation, not a mere possibility.
    ('قالت المنظمة إن السلطات امتنعت عن الموافقة على دخول قوافل الإغاثة', {'aid_blocked'}),
    ('قال المسؤول إنه لا يمكن إدخال الكميات اللازمة من الوقود إلى المدينة', {'aid_blocked'}),
    ('قال إن العاملين في المجال الإنساني لم يستطيعوا الوصول إلى الأحياء الشرقية', {'aid_blocked'}),
    # What an offensive resulted in happened; a "this is what" clause is out of a demand's reach.
    ('شن الجيش هجوما واسعا أدى إلى تحرير البلدة من المسلحين', {'control_change'}),
    ('رفض المحتجون عبور الشاحنات دون تصاريح، وهذا ما اضطر الجمارك إلى غلق المعبر', {'crossing_closure'}),
    # A crossing out of service is closed; a verb with its own object pronoun arrests no one after it.
    ('أعلنت الإدارة أن المنفذ الحدودي بات خارج الخدمة منذ الصباح', {'crossing_closure'}),
    ('استأنفت القنصلية منح التأشيرات بعد أن أوقفتها شهرا بسبب ازدحام المسافرين', set()),
    ('كانت الحافلة متجهة إلى المدينة، ثم أوقفها الحاجز واعتقل سائقها', {'detention'}),
    # A source between commas does not split an aim from its object; a condition on a future act threatens it.
    ('وتسعى هذه القوات، بحسب مصادر محلية، إلى محاصرة البلدة', {'siege_risk'}),
    ('أبلغ الجيش الوسطاء بأنه سيقصف الميناء في حال استقبل شحنات سلاح', {'strike'}),
    # Protected from shelling, tourists and hotel guests moved out: no strike, evacuation or flight.
    ('توفر الملاجئ الحماية للسكان من القصف', set()),
    ('تم إجلاء عشرات السياح من فنادقهم بسبب الحرائق، في عملية إخلاء نفذتها الشركة', set()),
    ('تمكن رجال الإطفاء من محاصرة النيران والسيطرة عليها قبل امتدادها', set()),
    # Captives counted in digits; the displaced of a place (leaving under a deal: evacuated too); a place its people left.
    ('تمكنت القوات من أسر 5 مسلحين خلال الاشتباك', {'detention'}),
    ('انطلقت قافلة تقل مهجري الأحياء الشرقية نحو الريف', {'evacuation', 'displacement'}),
    ('البلدة محاصرة منذ أشهر وقد غادرها معظم سكانها بسبب المعارك', {'siege', 'displacement'}),
    # A siege as a tool, the matter of corridors, talks on how to reopen: talked about, not told.
    ('يستخدم الحصار كأداة ضغط على الحكومات', set()),
    ('ناقش المجلس مسألة الممرات الإنسانية في المدينة', set()),
    ('تعقد اللجان المشتركة اجتماعات حول آليات إعادة فتح المعبر', set()),
    # Strikes that must stop first go on; a crossing stopped from its trade is closed.
    ('قال إن الفرق لا تستطيع التحرك حتى تتوقف الغارات الجوية على الأحياء', {'strike'}),
    ('تم إيقاف المعبر بشكل نهائي عن نشاطه التجاري', {'crossing_closure'}),
    # Failing or being called on to lift a siege leaves it in force; asking whether one comes fears it.
    ('انتقدوا الحكومة وعجزها عن فك الحصار المفروض على الحي', {'siege'}),
    ('دعت المنظمات، يوم الجمعة، الحكومة بإنهاء حصارها على المدينة', {'siege'}),
    ('هل تحاصر القوات المدينة مجددا؟', {'siege_risk'}),
    ('قال المتحدث: فلتفتح السلطات المعابر فورا', set()),
    # A donor's funding stopped is no aid blocked; staff still held are detained; holiday travel is no evacuation.
    ('أوقفت الحكومة تمويل برامج المساعدات الغذائية في عدة دول', set()),
    ('أعربت المنظمة عن قلقها إزاء استمرار احتجاز عدد من موظفيها في المحافظة', {'detention'}),
    ('خرج آلاف المسافرين عبر المعبر الحدودي لقضاء إجازة العيد مع عائلاتهم', set()),
    # A warning about a city does not reach the siege told in its "after" clause; hours given to leave.
    ('حذر التقرير من أن المدينة تواجه خطرا حقيقيا بعد أن ظلت تحت الحصار أشهرا', {'siege'}),
    ('سيتم منح السكان خمس ساعات لمغادرة المدينة المحاصرة', {'evacuation', 'siege'}),
    ('أدان البرنامج نهب المسلحين مخازنه في الولاية بعد استيلائهم على المدينة', {'control_change'}),
    # A body named for breaking a siege, a zone of control, tourists moved off beaches: no siege, take-over or evacuation.
    ('نظمت هيئة الحراك الوطني لكسر الحصار وقفة أمام مقر الأمم المتحدة', set()),
    ('تواصل خروج المدنيين من مربع سيطرة الفصائل في المدينة بموجب الاتفاق', {'evacuation'}),
    ('قالت الوزارة إن معظم السياح تم إجلاؤهم من الشواطئ قبل وصول الإعصار', set()),
    # An operation named for retaking a city, areas still held by a group: no take-over; one achieved or done is.
    ('مع إعلان عملية استعادة المدينة من سيطرة التنظيم عبرت المنظمة عن قلقها', set()),
    ('قد يحاول آلاف المدنيين الفرار من المناطق التي لا تزال خاضعة لسيطرة التنظيم', {'displacement'}),
    ('حققت الفصائل تقدما كبيرا بسيطرتها الكاملة على مدينة حمص', {'control_change'}),
    ('تم تحرير مركز المدينة من المسلحين صباح اليوم', {'control_change'}),
    # Aid that cannot be handed over, agencies that cannot reach, a crossing shut to aid named far on.
    ('أكدت المنظمة عدم إمكانية تسليم المساعدات الإنسانية في المناطق الشمالية', {'aid_blocked'}),
    ('قال إن الوكالات الإنسانية لم تتمكن من الوصول إلى البلدة منذ أشهر', {'aid_blocked'}),
    ('أغلقت السلطات، صباح اليوم، المعبر التجاري جنوب شرق المدينة بشكل مفاجئ أمام حركة البضائع والمساعدات',
     {'crossing_closure', 'aid_blocked'}),
    # A fuel ship held, the definite food supplies, trips through a crossing "stopped" (توقيف, Yemeni usage).
    ('احتجزت القوات سفينة وقود كانت متجهة إلى الميناء رغم حصولها على تصاريح', {'aid_blocked'}),
    ('منعت الميليشيا دخول المواد الغذائية إلى المدينة منذ أسبوع', {'aid_blocked'}),
    ('أصدرت الهيئة تعميما بتوقيف جميع الرحلات عبر المنفذ البري لمدة ثلاثة أيام', {'crossing_closure'}),
    # A warning a force issued carries its order to leave; arrest orders and accused who flee are no events.
    ('أصدر الجيش صباح اليوم الجمعة، إنذارا جديدا لسكان عشرين قرية بضرورة إخلائها فورا', {'evacuation'}),
    ('أدانت المحكمة موظفين بتزوير أوامر قبض وتحر في قضايا عدة', set()),
    ('تجري أغلب المحاكمات غيابيا بسبب هروب المتهمين إلى الخارج', set()),
    # A call to act to lift a siege leaves it in force; no intention to close is no closure; the aim is a risk.
    ('دعا المرجع الديني إلى التحرك لفك الحصار الذي يفرضه المسلحون على الناحية', {'siege'}),
    ('أعلن مصدر أمني أنه لا نية لدى الحكومة لإغلاق المعبر في الوقت الراهن', set()),
    ('قال المرصد إن هدف التقدم هو محاصرة البلدة والوصول إلى الطريق السريع', {'siege_risk'}),
    # A crossing that does not work is closed; a denial of responsibility, not of the closure; a siege called a lie.
    ('ذكر مصدر أمني أن المنفذ الحدودي لا يعمل حاليا إلا للعائدين', {'crossing_closure'}),
    ('نفى المصدر مسؤولية بلاده عن غلق المعبر، مؤكدا أن غلقه جاء بسبب التصعيد', {'crossing_closure'}),
    ('وصف المتحدث الحديث عن حصار المحافظة بأنه محض كذب وتضليل', set()),
    # "Taliban" is no dual of طالب (a call); "at least" negates nothing; fighters who "fell captive".
    ('قالت الوكالة إن قوات تابعة لطالبان اعتقلت ما لا يقل عن 10 صحفيين', {'detention'}),
    ('أكدت الوزارة أن 200 جندي وقعوا أسرى بعد تطهير المنطقة', {'detention'}),
    ('أعلنت المفوضية أنه تم توقيف صحافيين أجنبيين في العاصمة', {'detention'}),
    # "In a state of" is no condition; "not only" is no negation; a relative clause keeps its own cue.
    ('منعت القوات دخول المساعدات إلى القطاع، ما أدخله في حالة مجاعة', {'aid_blocked'}),
    ('ولم يقتصر الحصار على منع دخول البضائع بل امتد إلى الوقود', {'siege', 'aid_blocked'}),
    ('تمت محاصرتهم في المنطقة التي أعلنوا منها دولتهم المزعومة', {'siege'}),
    # تجلى ("became manifest") folds like تُجلي ("evacuates").
    ('وقد تجلى هذا التراجع في انخفاض أعداد الزوار', set()),
    # Diplomats and foreigners are people who are evacuated; a flood, worries and an arms ban "besiege" no one.
    ('أجلت البحرية عشرات الدبلوماسيين من العاصمة إلى ميناء مجاور', {'evacuation'}),
    ('نفذت الحكومة عملية لإجلاء الأجانب من المدينة', {'evacuation'}),
    ('حاصر فيضان النهر عشرات القرى في الولاية', set()),
    ('تعيش العاصمة المحاصرة بهمومها ومشاكلها أياما صعبة', set()),
    ('طالب القائد العالم بفك الحصار المفروض على تسليح الجيش', set()),
    # The way out is no flight; suspects who escape are not displaced; an appeal is a call; orders plan.
    ('حذرت المنظمة من قطع طريق الفرار الوحيد أمام السكان', set()),
    ('تبقى التحقيقات سرية خشية من هروب المتورطين', set()),
    ('وجهت العائلات العالقة نداء استغاثة لفتح ممرات آمنة لإخراجها من الحي', set()),
    ('أعطى قائد الجماعة أوامر بحصار المدينة', {'siege_risk'}),
    # المنتخبة is "elected", not the national team; أي before a figure is "that is"; a ل written apart.
    ('اعتقل الجيش 7 من مؤيدي الزعيمة المنتخبة', {'detention'}),
    ('لا يزال أكثر من 50 ألف مدني، أي نحو نصف السكان، محاصرين في المدينة', {'siege'}),
    ('تخطط الحكومة لـ "فرض حصار" على عاصمة الإقليم', {'siege_risk'}),
    # A siege dated long ago is history, one that goes on since then is not; capital "flees" markets.
    ('انتهى حصار المدينة عام 1944 بعد أن دام أكثر من عامين', set()),
    ('تعيش البلدة تحت الحصار منذ عام 1985 بحسب سكانها', {'siege'}),
    ('شهدت الأسواق الناشئة نزوح رأس المال بعد فترة توقف قصيرة', set()),
    # A blockade laid on aid; humanitarian materials seized; taken "before"; "whether"; a siege breached.
    ('قال المسؤول إن الحصار الفعلي المفروض على المساعدات يدفع السكان إلى المجاعة', {'aid_blocked', 'siege'}),
    ('اتهمت المنظمة الجماعة بمصادرة مواد إنسانية كانت في طريقها إلى المدينة', {'aid_blocked'}),
    ('قصف المسلحون مركزا للشرطة قبل السيطرة على البلدة', {'strike', 'control_change'}),
    ('لم تحسم المصادر ما إذا كان التنظيم سيطر على الولاية أم لا', set()),
    ('لن تتهاون الوزارة مع أي محاولة لخرق الحصار البحري المفروض على القطاع', {'siege'}),
    ('نجح الفريق في فرض سيطرته ليضرب موعدا مع منافسه في المربع الذهبي', set()),
    # A fear reaches into the أن clause it opens, over a long subject; not a siege that is its subject.
    ('يخشى السكان أن تفرض قوات الحكومة المركزية المدعومة من الخارج بعد أشهر من المعارك حصارا على المحافظات', {'siege_risk'}),
    ('حذر المكتب، من أن نجاح القوات في حصارها سيؤدي إلى كارثة', {'siege_risk'}),
    ('حذر المكتب من أن الحصار المفروض على القطاع يدفع السكان إلى المجاعة', {'siege'}),
    # People driven out of their homes are displaced; a history of sieges is not news.
    ('أقدم التنظيم على طرد المدنيين من منازلهم قرب النهر', {'displacement'}),
    ('في الذكرى الثمانين لكسر حصار المدينة وضع الرئيس الزهور عند النصب', set()),
    # A road across the front line opened is a reopening; the way opened for a settlement is not.
    ('أعلن عن فتح الطريق رسميا في منطقة التماس أمام حركة المسافرين بعد إغلاق دام ست سنوات', {'crossing_reopening'}),
    ('قال الوسيط إن الاتفاق يفتح الطريق أمام رفع الحصار عن المدينة', {'siege'}),
    ('أصدر الجيش أوامر الإخلاء الجديدة لبعض أنحاء المنطقة الشرقية من المدينة', {'evacuation'}),
    ('أحيا الفلسطينيون ذكرى النكبة التي طرد فيها مئات الآلاف من ديارهم', set()),
    # A siege dated by month and year long ago; a siege to be prevented is feared.
    ('استمر حصار المدينة من 13 مارس 1884 إلى 26 يناير 1885', set()),
    ('أقام الجيش نقطتي مراقبة جديدتين لمنع حصار البلدة', {'siege_risk'}),
    ('أغلقت القوات المعبر لمنع دخول المساعدات إلى المدينة', {'crossing_closure', 'aid_blocked'}),
    # A cue word inside a known place name is the name: رفعت in تل رفعت lifts nothing.
    ('قطعت الفصائل الطريق بين منبج وتل رفعت تمهيدا لمحاصرة المدينة', {'siege_risk'}),
    # What a future war would bring is no event; aid seized is no place taken.
    ('قال الوزير إن أي حرب ستكون مدمرة وستؤدي إلى أزمة نزوح جديدة', set()),
    ('نزح الآلاف من المدينة وسيؤدي ذلك إلى أزمة', {'displacement'}),
    ('استولى الجيش على 200 كيس أرز كانت في طريقها إلى القريتين', {'aid_blocked'}),
]


@pytest.mark.parametrize(("text", "types"), PHRASES, ids=[t[:30] for t, _ in PHRASES])
def test_phrase_gives_exactly_these_types(text: str, types: set[str]):
    events = detect(text)
    assert {e.type for e in events} == types, [(e.type, e.status, e.rule) for e in events]
