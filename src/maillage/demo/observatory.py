"""Demo: the observatory of the answered consultation and of the agglomeration, computed now."""

from __future__ import annotations

from maillage.demo import DemoContext, demo_step
from maillage.demo.foundation import DEMO_DOMAIN
from maillage.observatory.models import AnalysisRun
from maillage.observatory.services import analysis_queue, analysis_run_pending, signal_interpret


@demo_step(35, "observatory: themes and weak signals")
def build_observatory(ctx: DemoContext) -> None:
    answered = ctx.objects["campaigns"][0]
    agglo = ctx.objects["agglo"]
    # Computed here rather than by a queue worker, so that the pages show results at once.
    run = analysis_queue(campaign=answered, wake=False)
    analysis_queue(territory=agglo, wake=False)
    analysis_run_pending()
    run.refresh_from_db()
    if run.status != AnalysisRun.Status.DONE:
        return
    # The demo's few hundred words rarely make a significant signal: a term to watch will do.
    rising = run.signals.filter(quadrant__in=["weak", "strong"])
    signal = rising.order_by("-emerging", "-visibility_increase").first()
    if signal is not None:
        signal_interpret(
            signal=signal,
            actor=ctx.objects["by_email"][f"animatrice@{DEMO_DOMAIN}"],
            note=(
                f"« {signal.term} » revient plus souvent sur la période {signal.period} : "
                "à vérifier avec les agents de terrain avant d'en tirer une conclusion."
            ),
        )
