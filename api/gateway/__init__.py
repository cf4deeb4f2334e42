"""The gateway: what the API does with a person's SMS or Telegram message once a channel adapter
(channels/) has checked and normalised it. runtime.py: deduplicate, keywords and STOP, the turn with
its deadline, order per person, replies inline or through the outbox; inbound.py: the inbound store
(kept until answered); texts.py: the gateway's own messages. The address book and the per-person
lock are shared by every API process (api/core/shared.py).

channels/ never imports api/: the webhook routers reach the runtime as `request.app.state.channels`."""
