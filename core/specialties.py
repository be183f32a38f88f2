"""The controlled list of specialties, shared by listings (rotations) and preceptor profiles (institutions)."""

from django.db import models


class Specialty(models.TextChoices):
    ANESTHESIOLOGY = "anesthesiology", "Anesthesiology"
    CARDIOLOGY = "cardiology", "Cardiology"
    DERMATOLOGY = "dermatology", "Dermatology"
    EMERGENCY_MEDICINE = "emergency_medicine", "Emergency Medicine"
    ENDOCRINOLOGY = "endocrinology", "Endocrinology"
    FAMILY_MEDICINE = "family_medicine", "Family Medicine"
    GASTROENTEROLOGY = "gastroenterology", "Gastroenterology"
    GENERAL_SURGERY = "general_surgery", "General Surgery"
    GERIATRICS = "geriatrics", "Geriatric Medicine"
    HEMATOLOGY_ONCOLOGY = "hematology_oncology", "Hematology and Oncology"
    INFECTIOUS_DISEASE = "infectious_disease", "Infectious Disease"
    INTERNAL_MEDICINE = "internal_medicine", "Internal Medicine"
    NEPHROLOGY = "nephrology", "Nephrology"
    NEUROLOGY = "neurology", "Neurology"
    OBSTETRICS_GYNECOLOGY = "obstetrics_gynecology", "Obstetrics and Gynecology"
    ORTHOPEDIC_SURGERY = "orthopedic_surgery", "Orthopedic Surgery"
    PATHOLOGY = "pathology", "Pathology"
    PEDIATRICS = "pediatrics", "Pediatrics"
    PSYCHIATRY = "psychiatry", "Psychiatry"
    PULMONOLOGY = "pulmonology", "Pulmonary and Critical Care"
    RADIOLOGY = "radiology", "Radiology"
    RHEUMATOLOGY = "rheumatology", "Rheumatology"
    UROLOGY = "urology", "Urology"
