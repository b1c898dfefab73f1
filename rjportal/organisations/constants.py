from django.db import models


class OrganisationKind(models.TextChoices):
    PCC_OFFICE = "pcc_office", "PCC office"
    RJ_PROVIDER = "rj_provider", "RJ provider"
    POLICE_FORCE = "police_force", "Police force"
    YOUTH_JUSTICE = "youth_justice", "Youth justice service"
    PROBATION = "probation", "Probation"
    VICTIM_SERVICE = "victim_service", "Victim service"
    OTHER = "other", "Other"
