"""Reviews, their moderation log and responses, and versioned evaluations of applicants."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('institutions', '0001_initial'),
        ('matching', '0002_seats_taken_trigger'),
        ('preceptors', '0002_preceptor_moved_to_institutions'),
        ('rotations', '0009_listing_review_aggregates'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Review',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('overall', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)], verbose_name='overall rating')),
                ('teaching', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)], verbose_name='teaching')),
                ('hands_on', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)], verbose_name='hands-on exposure as the listing promised')),
                ('organisation', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)], verbose_name='organisation')),
                ('value', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)], verbose_name='value for the fee')),
                ('would_recommend', models.BooleanField(verbose_name='would recommend')),
                ('text', models.TextField()),
                ('status', models.CharField(choices=[('pending', 'Awaiting moderation'), ('published', 'Published'), ('rejected', 'Rejected')], default='pending', max_length=20)),
                ('reject_reason', models.CharField(blank=True, choices=[('personal_data', 'It contains personal data (names, contacts, health details of anyone)'), ('abuse', 'It is abusive, threatening or discriminatory'), ('off_topic', 'It is off-topic (advertising, unrelated matters)'), ('not_this_rotation', 'It is not about this rotation')], max_length=30)),
                ('resubmitted', models.BooleanField(default=False)),
                ('submitted_at', models.DateTimeField(auto_now_add=True)),
                ('published_at', models.DateTimeField(blank=True, null=True)),
                ('application', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='review', to='matching.application')),
                ('listing', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reviews', to='rotations.listing')),
            ],
            options={
                'ordering': ['-submitted_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='ReviewResponse',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('text', models.TextField()),
                ('status', models.CharField(choices=[('pending', 'Awaiting moderation'), ('published', 'Published'), ('rejected', 'Rejected')], default='pending', max_length=20)),
                ('reject_reason', models.CharField(blank=True, choices=[('personal_data', 'It contains personal data (names, contacts, health details of anyone)'), ('abuse', 'It is abusive, threatening or discriminatory'), ('off_topic', 'It is off-topic (advertising, unrelated matters)'), ('not_this_rotation', 'It is not about this rotation')], max_length=30)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('author', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('review', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='response', to='preceptors.review')),
            ],
        ),
        migrations.CreateModel(
            name='ReviewDecision',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(max_length=20)),
                ('reason', models.CharField(blank=True, choices=[('personal_data', 'It contains personal data (names, contacts, health details of anyone)'), ('abuse', 'It is abusive, threatening or discriminatory'), ('off_topic', 'It is off-topic (advertising, unrelated matters)'), ('not_this_rotation', 'It is not about this rotation')], max_length=30)),
                ('at', models.DateTimeField(auto_now_add=True)),
                ('by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('review', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='decisions', to='preceptors.review')),
                ('response', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='decisions', to='preceptors.reviewresponse')),
            ],
            options={
                'ordering': ['at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Evaluation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.PositiveSmallIntegerField(default=1)),
                ('patient_care', models.PositiveSmallIntegerField(choices=[(0, 'Not observed'), (1, '1 – Novice: needs direct supervision for routine tasks'), (2, '2 – Advanced beginner: performs routine tasks with frequent guidance'), (3, '3 – Competent: performs routine tasks with occasional guidance'), (4, '4 – Proficient: works independently, as expected of a starting resident'), (5, '5 – Exemplary: beyond what is expected of a starting resident')], validators=[django.core.validators.MaxValueValidator(5)], verbose_name='patient care')),
                ('medical_knowledge', models.PositiveSmallIntegerField(choices=[(0, 'Not observed'), (1, '1 – Novice: needs direct supervision for routine tasks'), (2, '2 – Advanced beginner: performs routine tasks with frequent guidance'), (3, '3 – Competent: performs routine tasks with occasional guidance'), (4, '4 – Proficient: works independently, as expected of a starting resident'), (5, '5 – Exemplary: beyond what is expected of a starting resident')], validators=[django.core.validators.MaxValueValidator(5)], verbose_name='medical knowledge')),
                ('practice_based_learning', models.PositiveSmallIntegerField(choices=[(0, 'Not observed'), (1, '1 – Novice: needs direct supervision for routine tasks'), (2, '2 – Advanced beginner: performs routine tasks with frequent guidance'), (3, '3 – Competent: performs routine tasks with occasional guidance'), (4, '4 – Proficient: works independently, as expected of a starting resident'), (5, '5 – Exemplary: beyond what is expected of a starting resident')], validators=[django.core.validators.MaxValueValidator(5)], verbose_name='practice-based learning and improvement')),
                ('interpersonal_communication', models.PositiveSmallIntegerField(choices=[(0, 'Not observed'), (1, '1 – Novice: needs direct supervision for routine tasks'), (2, '2 – Advanced beginner: performs routine tasks with frequent guidance'), (3, '3 – Competent: performs routine tasks with occasional guidance'), (4, '4 – Proficient: works independently, as expected of a starting resident'), (5, '5 – Exemplary: beyond what is expected of a starting resident')], validators=[django.core.validators.MaxValueValidator(5)], verbose_name='interpersonal and communication skills')),
                ('professionalism', models.PositiveSmallIntegerField(choices=[(0, 'Not observed'), (1, '1 – Novice: needs direct supervision for routine tasks'), (2, '2 – Advanced beginner: performs routine tasks with frequent guidance'), (3, '3 – Competent: performs routine tasks with occasional guidance'), (4, '4 – Proficient: works independently, as expected of a starting resident'), (5, '5 – Exemplary: beyond what is expected of a starting resident')], validators=[django.core.validators.MaxValueValidator(5)], verbose_name='professionalism')),
                ('systems_based_practice', models.PositiveSmallIntegerField(choices=[(0, 'Not observed'), (1, '1 – Novice: needs direct supervision for routine tasks'), (2, '2 – Advanced beginner: performs routine tasks with frequent guidance'), (3, '3 – Competent: performs routine tasks with occasional guidance'), (4, '4 – Proficient: works independently, as expected of a starting resident'), (5, '5 – Exemplary: beyond what is expected of a starting resident')], validators=[django.core.validators.MaxValueValidator(5)], verbose_name='systems-based practice')),
                ('overall', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(5)], verbose_name='overall rating')),
                ('strengths', models.TextField()),
                ('improvements', models.TextField(verbose_name='areas to improve')),
                ('would_write_letter', models.BooleanField(verbose_name='I would write a letter of recommendation')),
                ('submitted_at', models.DateTimeField(auto_now_add=True)),
                ('application', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='evaluations', to='matching.application')),
                ('author', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='institutions.preceptor')),
            ],
            options={
                'ordering': ['application_id', '-version'],
                'constraints': [models.UniqueConstraint(fields=('application', 'version'), name='evaluation_version_once'), models.CheckConstraint(condition=models.Q(('overall__gte', 1), ('overall__lte', 5)), name='evaluation_overall_1_to_5'), models.CheckConstraint(condition=models.Q(('patient_care__lte', 5)), name='evaluation_patient_care_0_to_5'), models.CheckConstraint(condition=models.Q(('medical_knowledge__lte', 5)), name='evaluation_medical_knowledge_0_to_5'), models.CheckConstraint(condition=models.Q(('practice_based_learning__lte', 5)), name='evaluation_practice_based_learning_0_to_5'), models.CheckConstraint(condition=models.Q(('interpersonal_communication__lte', 5)), name='evaluation_interpersonal_communication_0_to_5'), models.CheckConstraint(condition=models.Q(('professionalism__lte', 5)), name='evaluation_professionalism_0_to_5'), models.CheckConstraint(condition=models.Q(('systems_based_practice__lte', 5)), name='evaluation_systems_based_practice_0_to_5')],
            },
        ),
        migrations.AddIndex(
            model_name='review',
            index=models.Index(fields=['listing', 'status'], name='review_listing_status_idx'),
        ),
        migrations.AddConstraint(
            model_name='review',
            constraint=models.CheckConstraint(condition=models.Q(('overall__gte', 1), ('overall__lte', 5)), name='review_overall_1_to_5'),
        ),
        migrations.AddConstraint(
            model_name='review',
            constraint=models.CheckConstraint(condition=models.Q(('teaching__gte', 1), ('teaching__lte', 5)), name='review_teaching_1_to_5'),
        ),
        migrations.AddConstraint(
            model_name='review',
            constraint=models.CheckConstraint(condition=models.Q(('hands_on__gte', 1), ('hands_on__lte', 5)), name='review_hands_on_1_to_5'),
        ),
        migrations.AddConstraint(
            model_name='review',
            constraint=models.CheckConstraint(condition=models.Q(('organisation__gte', 1), ('organisation__lte', 5)), name='review_organisation_1_to_5'),
        ),
        migrations.AddConstraint(
            model_name='review',
            constraint=models.CheckConstraint(condition=models.Q(('value__gte', 1), ('value__lte', 5)), name='review_value_1_to_5'),
        ),
    ]
