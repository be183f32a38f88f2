"""The institutions app takes over Institution and Coordinator (from rotations), Preceptor (from
preceptors) and Invitation (from accounts), keeping every row: the tables are renamed, not copied,
so primary keys, foreign keys pointing at them and identity sequences all stay as they are. The
other apps' migrations that follow only change Django's picture of the models (no SQL)."""

import core.text
import django.db.models.deletion
import institutions.models
import localflavor.us.models
from django.conf import settings
from django.db import migrations, models


RENAMED = [
    ("rotations_institution", "institution"),
    ("rotations_coordinator", "coordinator"),
    ("preceptors_preceptor", "preceptor"),
    ("accounts_invitation", "invitation"),
]

CONTENT_TYPES_SQL = (
    " ".join(f"UPDATE django_content_type SET app_label = 'institutions' "
             f"WHERE app_label = '{old.split('_')[0]}' AND model = '{model}';" for old, model in RENAMED),
    " ".join(f"UPDATE django_content_type SET app_label = '{old.split('_')[0]}' "
             f"WHERE app_label = 'institutions' AND model = '{model}';" for old, model in RENAMED),
)

STATE = [
    migrations.CreateModel(
        name='Institution',
        fields=[
            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
            ('name', models.CharField(max_length=200, validators=[core.text.reject_direction_controls])),
            ('kind', models.CharField(choices=[('academic_hospital', 'Academic hospital'), ('community_hospital', 'Community hospital'), ('private_practice', 'Private practice'), ('clinic', 'Clinic')], max_length=30)),
            ('address', models.CharField(max_length=200, validators=[core.text.reject_direction_controls], verbose_name='street address')),
            ('city', models.CharField(max_length=100, validators=[core.text.reject_direction_controls])),
            ('state', localflavor.us.models.USStateField(max_length=2)),
            ('zip_code', localflavor.us.models.USZipCodeField(max_length=10, verbose_name='ZIP code')),
            ('website', models.URLField(blank=True)),
            ('verified_at', models.DateTimeField(blank=True, null=True)),
            ('created_at', models.DateTimeField(auto_now_add=True)),
        ],
        options={
            'ordering': ['name'],
            'constraints': [models.UniqueConstraint(fields=('name', 'city', 'state'), name='institution_unique_place')],
        },
    ),
    migrations.CreateModel(
        name='Coordinator',
        fields=[
            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
            ('title', models.CharField(blank=True, max_length=100)),
            ('created_at', models.DateTimeField(auto_now_add=True)),
            ('user', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='coordinator', to=settings.AUTH_USER_MODEL)),
            ('institution', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='coordinators', to='institutions.institution')),
        ],
        options={
            'ordering': ['institution', 'user__email'],
        },
    ),
    migrations.CreateModel(
        name='Preceptor',
        fields=[
            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
            ('full_name', models.CharField(max_length=200)),
            ('email', models.EmailField(max_length=254, verbose_name='e-mail address')),
            ('credentials', models.CharField(blank=True, help_text='For example MD, DO, FACP.', max_length=50)),
            ('specialty', models.CharField(blank=True, max_length=100)),
            ('verified_at', models.DateTimeField(blank=True, null=True)),
            ('created_at', models.DateTimeField(auto_now_add=True)),
            ('institution', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='preceptors', to='institutions.institution')),
            ('user', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='preceptor', to=settings.AUTH_USER_MODEL)),
        ],
        options={
            'ordering': ['full_name'],
        },
    ),
    migrations.CreateModel(
        name='Invitation',
        fields=[
            ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
            ('email', models.EmailField(max_length=254, verbose_name='e-mail address')),
            ('role', models.CharField(choices=[('coordinator', 'Coordinator'), ('preceptor', 'Preceptor')], max_length=20)),
            ('token', models.CharField(default=institutions.models._new_token, editable=False, max_length=64, unique=True)),
            ('created_at', models.DateTimeField(auto_now_add=True)),
            ('expires_at', models.DateTimeField(default=institutions.models._default_expiry)),
            ('accepted_at', models.DateTimeField(blank=True, null=True)),
            ('revoked_at', models.DateTimeField(blank=True, null=True)),
            ('accepted_by', models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='invitation', to=settings.AUTH_USER_MODEL)),
            ('institution', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='invitations', to='institutions.institution')),
            ('invited_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='invitations_sent', to=settings.AUTH_USER_MODEL)),
            ('revoked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
        ],
        options={
            'ordering': ['-created_at'],
            'constraints': [models.CheckConstraint(condition=models.Q(('role__in', ['coordinator', 'preceptor'])), name='invitation_role_is_invitable')],
        },
    ),
]


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0004_invitation_revoked_by"),
        ("preceptors", "0001_initial"),
        ("rotations", "0005_refuse_direction_controls"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                *[migrations.RunSQL(f"ALTER TABLE {old} RENAME TO institutions_{model}",
                                    f"ALTER TABLE institutions_{model} RENAME TO {old}")
                  for old, model in RENAMED],
                # Permissions and admin history follow the models to their new app.
                migrations.RunSQL(*CONTENT_TYPES_SQL),
            ],
            state_operations=STATE,
        ),
    ]
