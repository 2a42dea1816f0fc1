"""The account header: avatar, name, UPN, tenant; Refresh and Sign out."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from desktop_app.auth.client import Identity
from desktop_app.graph.client import Photo
from desktop_app.graph.profile import Profile
from desktop_app.ui.avatar import Avatar
from desktop_app.ui.widgets import clear_layout, heading, muted, plain_label, role_chip


class AccountHeader(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("header")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(20, 14, 20, 14)
        layout.setSpacing(16)
        self.avatar = Avatar(64, self)
        layout.addWidget(self.avatar)
        text = QVBoxLayout()
        text.setSpacing(2)
        self.name = heading("", self, 16)
        self.job_title = plain_label("", self)
        self.job_title.hide()
        self.username = plain_label("", self, selectable=True)
        self.tenant = muted("", self)
        self.tenant.setTextInteractionFlags(self.username.textInteractionFlags())
        for label in (self.name, self.job_title, self.username, self.tenant):
            text.addWidget(label)
        self._roles_row = QHBoxLayout()
        self._roles_row.setSpacing(6)
        self._roles_row.setContentsMargins(0, 4, 0, 0)
        text.addLayout(self._roles_row)
        layout.addLayout(text, 1)
        self.refresh_button = QPushButton("Refresh", self)
        self.sign_out_button = QPushButton("Sign out", self)
        layout.addWidget(self.refresh_button)
        layout.addWidget(self.sign_out_button)

    def show_identity(self, identity: Identity | None, cloud_label: str) -> None:
        clear_layout(self._roles_row)
        if identity is None:
            self.job_title.setText("")
            self.job_title.hide()
            self.name.setText("")
            self.username.setText("")
            self.tenant.setText("")
            self.avatar.set_name("")
            return
        claims = identity.claims
        self.name.setText(claims.name or claims.username)
        self.username.setText(claims.username)
        self.tenant.setText(f"Tenant {claims.tenant_id} · {cloud_label}")
        self.avatar.set_name(claims.name or claims.username)
        if identity.trusted:
            for role in claims.roles[:8]:
                self._roles_row.addWidget(role_chip(role, self))
            if len(claims.roles) > 8:
                self._roles_row.addWidget(muted(f"+{len(claims.roles) - 8} more", self))
        self._roles_row.addStretch(1)

    def show_profile(self, profile: Profile | None) -> None:
        if profile is None:
            return
        if profile.displayName:
            self.name.setText(profile.displayName)
            self.avatar.set_name(profile.displayName)
        if profile.userPrincipalName:
            self.username.setText(profile.userPrincipalName)
        self.job_title.setText(profile.jobTitle)
        self.job_title.setVisible(bool(profile.jobTitle))

    def show_photo(self, photo: Photo | None) -> None:
        self.avatar.set_photo(photo.data if photo else None)
