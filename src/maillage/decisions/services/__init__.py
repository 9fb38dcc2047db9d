"""Writes of the decisions app: every step of the consent process is one service here.

One module per part of the process: ``circles`` (circles, delegations, members),
``proposals`` (propose, amend, withdraw), ``rounds`` (rounds, answers, notes, deadlines),
``rotation`` (facilitators and secretaries by rotation), ``elections`` (sociocratic
elections) and ``polls`` (majority judgment and approval); ``common`` holds what they share.

The process is the state machine of :mod:`maillage.analysis.consent` (draft → clarifying →
reactions → consent → (amend → consent)* → adopted, withdrawn from any open state). Each
transition checks its permission, locks the rows it changes, writes an audit entry and
emails the circle's members once the transaction has committed (texts in
``templates/decisions/email/``).

Errors: ``PermissionDenied`` (403), ``ValidationError`` (422, a clear message), and
:class:`~maillage.decisions.services.common.ProcessConflict` (409) when the action does not fit
the current state, e.g. answering in a closed round; it carries the state so that the page and
the API can show it.
"""
