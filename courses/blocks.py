"""StreamField blocks for lessons."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks


class QuizQuestionBlock(blocks.StructBlock):
    """A single-answer question: the answer is the number of the right choice."""

    question = blocks.CharBlock(label=_("question"), max_length=300)
    choices = blocks.ListBlock(
        blocks.CharBlock(label=_("choice"), max_length=200), label=_("choices"), min_num=2
    )
    answer = blocks.IntegerBlock(
        label=_("number of the right choice"), min_value=1, help_text=_("1 for the first choice.")
    )

    def clean(self, value):
        value = super().clean(value)
        if value["answer"] > len(value["choices"]):
            raise blocks.StructBlockValidationError(
                block_errors={"answer": ValidationError(_("There is no choice with this number."))}
            )
        return value

    class Meta:
        icon = "help"
        label = _("question")
