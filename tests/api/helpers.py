"""Calling the API as a machine client does: a bearer token of Wagtail's APIToken."""

import json

from django.test import Client
from wagtail.models import APIToken

BASE = "/api/v1"


class ApiClient:
    def __init__(self, user, name="test"):
        self.token, self.plaintext = APIToken.create_token(user=user, name=name)
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {self.plaintext}")

    def _path(self, path):
        return path if path.startswith("/api/") else f"{BASE}{path}"

    def get(self, path, **params):
        return self.client.get(self._path(path), params)

    def post(self, path, data=None, **headers):
        return self.client.post(
            self._path(path),
            json.dumps(data if data is not None else {}),
            content_type="application/json",
            headers=headers,
        )

    def upload(self, path, data):
        return self.client.post(self._path(path), data)

    def patch(self, path, data, **headers):
        return self.client.patch(
            self._path(path), json.dumps(data), content_type="application/json", headers=headers
        )

    def delete(self, path):
        return self.client.delete(self._path(path))


def drug_header(**overrides):
    values = {
        "direction": "IMPORT",
        "authority": "DA-110000",
        "purpose": "MEDICAL",
        "collection_method": "ON_SITE",
        "import_port_1": "2233",
    }
    values.update(overrides)
    return values


def drug_line(**overrides):
    values = {
        "hs_code": "2937121000",
        "drug_name_zh": "重组人胰岛素",
        "drug_name_en": "Recombinant human insulin",
        "dosage_form": "03",
        "specification": "10ml:400IU",
        "quantity": "1000",
        "unit": "支",
        "manufacturer": "Novo Nordisk A/S",
        "country": "DK",
    }
    values.update(overrides)
    return values
