// @generated automatically by Diesel CLI.

diesel::table! {
    bank_holidays (version, day) {
        version -> Int4,
        day -> Date,
        name -> Text,
    }
}

diesel::table! {
    calendar_versions (version) {
        version -> Int4,
        note -> Text,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    candour_records (id) {
        id -> Text,
        case_id -> Text,
        incident_reference -> Nullable<Text>,
        incident_on -> Nullable<Date>,
        became_aware_on -> Date,
        flagged_on -> Date,
        flagged_by -> Text,
        harm_level -> Nullable<Text>,
        harm_decided_by -> Nullable<Text>,
        harm_decided_on -> Nullable<Date>,
        harm_rationale -> Nullable<Text>,
        exception_kind -> Nullable<Text>,
        exception_recorded_on -> Nullable<Date>,
        exception_recorded_by -> Nullable<Text>,
        exception_note -> Nullable<Text>,
        version -> Int4,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    candour_steps (id) {
        id -> Text,
        record_id -> Text,
        kind -> Text,
        done_on -> Date,
        performed_by -> Text,
        method -> Nullable<Text>,
        outcome -> Nullable<Text>,
        account_given -> Nullable<Bool>,
        apology_given -> Nullable<Bool>,
        support_offered -> Nullable<Bool>,
        enquiries_explained -> Nullable<Bool>,
        document_reference -> Nullable<Text>,
        notes -> Nullable<Text>,
        recorded_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    case_access_log (id) {
        id -> Text,
        case_id -> Text,
        user_id -> Text,
        route -> Text,
        accessed_at -> Timestamp,
    }
}

diesel::table! {
    case_extensions (id) {
        id -> Text,
        case_id -> Text,
        previous_due_on -> Nullable<Date>,
        new_due_on -> Date,
        reason -> Text,
        complainant_agreed -> Bool,
        agreed_on -> Nullable<Date>,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    case_pauses (id) {
        id -> Text,
        case_id -> Text,
        paused_on -> Date,
        resumed_on -> Nullable<Date>,
        reason -> Text,
        working_days -> Nullable<Int4>,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    case_professions (case_id, profession_code) {
        case_id -> Text,
        profession_code -> Text,
        kind -> Text,
        received_on -> Date,
    }
}

diesel::table! {
    case_response_subjects (response_id, subject_code) {
        response_id -> Text,
        subject_code -> Text,
        outcome -> Text,
    }
}

diesel::table! {
    case_responses (id) {
        id -> Text,
        case_id -> Text,
        sent_on -> Date,
        signed_by -> Text,
        outcome -> Text,
        ombudsman_rights_given -> Bool,
        summary -> Nullable<Text>,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    case_services (case_id, service_id) {
        case_id -> Text,
        service_id -> Text,
        kind -> Text,
        received_on -> Date,
        is_primary -> Bool,
        status -> Text,
    }
}

diesel::table! {
    case_subjects (case_id, subject_code) {
        case_id -> Text,
        subject_code -> Text,
        subcategory_code -> Nullable<Text>,
        is_primary -> Bool,
        outcome -> Nullable<Text>,
        kind -> Text,
        received_on -> Date,
    }
}

diesel::table! {
    cases (id) {
        id -> Text,
        reference -> Text,
        kind -> Text,
        status -> Text,
        channel -> Text,
        received_on -> Date,
        incident_on -> Nullable<Date>,
        became_aware_on -> Nullable<Date>,
        summary -> Text,
        description -> Text,
        desired_outcome -> Text,
        complainant_id -> Text,
        patient_id -> Nullable<Text>,
        patient_is_complainant -> Bool,
        representative_basis -> Nullable<Text>,
        consent_status -> Text,
        consent_requested_on -> Nullable<Date>,
        consent_received_on -> Nullable<Date>,
        email_consent -> Bool,
        email_consent_on -> Nullable<Date>,
        email_consent_withdrawn_on -> Nullable<Date>,
        complainant_status -> Text,
        age_band -> Text,
        risk_consequence -> Nullable<Int4>,
        risk_likelihood -> Nullable<Int4>,
        risk_grade -> Nullable<Text>,
        handler_id -> Nullable<Text>,
        investigator_id -> Nullable<Text>,
        out_of_time -> Bool,
        time_limit_decision -> Nullable<Text>,
        acknowledgement_due_on -> Nullable<Date>,
        acknowledged_on -> Nullable<Date>,
        acknowledgement_method -> Nullable<Text>,
        handling_discussion_offered -> Nullable<Bool>,
        meeting_offered -> Nullable<Bool>,
        response_due_on -> Nullable<Date>,
        response_due_agreed -> Bool,
        six_month_letter_due_on -> Nullable<Date>,
        six_month_letter_sent_on -> Nullable<Date>,
        pals_due_on -> Nullable<Date>,
        next_due_key -> Date,
        investigation_started_on -> Nullable<Date>,
        paused_on -> Nullable<Date>,
        paused_working_days -> Int4,
        responded_on -> Nullable<Date>,
        outcome -> Nullable<Text>,
        closed_on -> Nullable<Date>,
        withdrawn_on -> Nullable<Date>,
        resolved_on -> Nullable<Date>,
        linked_case_id -> Nullable<Text>,
        reopened_count -> Int4,
        calendar_version -> Int4,
        version -> Int4,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        first_responded_on -> Nullable<Date>,
        first_outcome -> Nullable<Text>,
        first_response_due_on -> Nullable<Date>,
        first_response_due_agreed -> Nullable<Bool>,
    }
}

diesel::table! {
    ko41a_submissions (id) {
        id -> Text,
        financial_year -> Int4,
        figures -> Text,
        note -> Nullable<Text>,
        submitted_by -> Text,
        submitted_at -> Timestamp,
    }
}

diesel::table! {
    feedback_answers (invitation_id, question_code) {
        invitation_id -> Text,
        question_code -> Text,
        score -> Nullable<Int4>,
    }
}

diesel::table! {
    feedback_invitations (id) {
        id -> Text,
        case_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
        delivery -> Text,
        sent_at -> Nullable<Timestamp>,
        expires_at -> Timestamp,
        responded_at -> Nullable<Timestamp>,
        overall_satisfaction -> Nullable<Int4>,
        comments -> Nullable<Text>,
    }
}

diesel::table! {
    feedback_questions (code) {
        code -> Text,
        stage -> Text,
        text -> Text,
        sort_order -> Int4,
        active -> Bool,
        needs_verification -> Bool,
    }
}

diesel::table! {
    feedback_stages (code) {
        code -> Text,
        title -> Text,
        sort_order -> Int4,
    }
}

diesel::table! {
    framework_assessment_items (assessment_id, code) {
        assessment_id -> Text,
        code -> Text,
        score -> Int4,
        current_position -> Nullable<Text>,
        planned_action -> Nullable<Text>,
        good_looks_like -> Nullable<Text>,
    }
}

diesel::table! {
    framework_assessments (id) {
        id -> Text,
        assessed_on -> Date,
        created_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    framework_characteristics (code) {
        code -> Text,
        section_number -> Int4,
        section -> Text,
        number -> Int4,
        heading -> Text,
        text -> Text,
        sort_order -> Int4,
    }
}

diesel::table! {
    letters (id) {
        id -> Text,
        case_id -> Text,
        template -> Text,
        statutory -> Bool,
        channel -> Text,
        status -> Text,
        subject -> Text,
        html -> Text,
        outbox_message_id -> Nullable<Text>,
        created_by -> Nullable<Text>,
        created_at -> Timestamp,
        posted_at -> Nullable<Timestamp>,
        posted_by -> Nullable<Text>,
        undelivered_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    meeting_actions (id) {
        id -> Text,
        meeting_id -> Text,
        position -> Int4,
        description -> Text,
        owner_id -> Nullable<Text>,
        due_on -> Nullable<Date>,
    }
}

diesel::table! {
    meeting_attendees (id) {
        id -> Text,
        meeting_id -> Text,
        position -> Int4,
        kind -> Text,
        user_id -> Nullable<Text>,
        name -> Nullable<Text>,
        role_label -> Nullable<Text>,
        email -> Nullable<Text>,
    }
}

diesel::table! {
    meeting_schedules (id) {
        id -> Text,
        meeting_id -> Text,
        sequence -> Int4,
        starts_at -> Timestamp,
        ends_at -> Timestamp,
        location -> Nullable<Text>,
        video_link -> Nullable<Text>,
        reason -> Nullable<Text>,
        changed_by -> Text,
        changed_at -> Timestamp,
    }
}

diesel::table! {
    meetings (id) {
        id -> Text,
        case_id -> Text,
        status -> Text,
        offered_on -> Date,
        offer_method -> Nullable<Text>,
        offer_note -> Nullable<Text>,
        accepted_on -> Nullable<Date>,
        declined_on -> Nullable<Date>,
        decline_reason -> Nullable<Text>,
        starts_at -> Nullable<Timestamp>,
        ends_at -> Nullable<Timestamp>,
        location -> Nullable<Text>,
        video_link -> Nullable<Text>,
        organiser_id -> Nullable<Text>,
        interpreter_language -> Nullable<Text>,
        advocate -> Nullable<Text>,
        accessibility_needs -> Nullable<Text>,
        sequence -> Int4,
        held_on -> Nullable<Date>,
        notes -> Nullable<Text>,
        summary_sent_on -> Nullable<Date>,
        cancelled_on -> Nullable<Date>,
        cancel_reason -> Nullable<Text>,
        version -> Int4,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    ombudsman_recommendations (id) {
        id -> Text,
        referral_id -> Text,
        position -> Int4,
        recommendation -> Text,
        due_on -> Nullable<Date>,
        met_on -> Nullable<Date>,
    }
}

diesel::table! {
    ombudsman_referrals (id) {
        id -> Text,
        case_id -> Text,
        referred_on -> Date,
        phso_reference -> Nullable<Text>,
        decision -> Nullable<Text>,
        decision_on -> Nullable<Date>,
        decision_summary -> Nullable<Text>,
        version -> Int4,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    outbox_messages (id) {
        id -> Text,
        case_id -> Nullable<Text>,
        template -> Text,
        recipient -> Text,
        subject -> Text,
        text_body -> Text,
        html_body -> Nullable<Text>,
        attachments -> Text,
        message_id -> Text,
        status -> Text,
        attempts -> Int4,
        next_attempt_at -> Timestamp,
        last_error -> Nullable<Text>,
        claimed_by -> Nullable<Text>,
        claimed_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    persons (id) {
        id -> Text,
        full_name -> Text,
        email -> Nullable<Text>,
        phone -> Nullable<Text>,
        postal_address -> Nullable<Text>,
        preferred_contact -> Nullable<Text>,
        nhs_number -> Nullable<Text>,
        date_of_birth -> Nullable<Date>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        redacted_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    reference_counters (prefix, year) {
        prefix -> Text,
        year -> Int4,
        last_value -> Int4,
    }
}

diesel::table! {
    refresh_tokens (id) {
        id -> Text,
        session_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    service_change_cases (service_change_id, case_id) {
        service_change_id -> Text,
        case_id -> Text,
    }
}

diesel::table! {
    service_change_events (id) {
        id -> Text,
        service_change_id -> Text,
        seq -> Int4,
        occurred_at -> Timestamp,
        actor_id -> Text,
        kind -> Text,
        from_status -> Nullable<Text>,
        to_status -> Text,
        details -> Text,
    }
}

diesel::table! {
    service_changes (id) {
        id -> Text,
        title -> Text,
        description -> Text,
        reason -> Text,
        public_summary -> Text,
        service_id -> Text,
        owner_id -> Text,
        due_on -> Date,
        theme_subject -> Nullable<Text>,
        theme_service_id -> Nullable<Text>,
        status -> Text,
        started_at -> Nullable<Timestamp>,
        implemented_on -> Nullable<Date>,
        evidence -> Nullable<Text>,
        verified_by -> Nullable<Text>,
        verified_at -> Nullable<Timestamp>,
        abandoned_reason -> Nullable<Text>,
        abandoned_at -> Nullable<Timestamp>,
        version -> Int4,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    services (id) {
        id -> Text,
        parent_id -> Nullable<Text>,
        kind -> Text,
        code -> Text,
        name -> Text,
        service_area -> Nullable<Text>,
        lead_user_id -> Nullable<Text>,
        active -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Text,
        created_at -> Timestamp,
        last_refreshed_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
        revoked_reason -> Nullable<Text>,
        cookie_hash -> Nullable<Text>,
    }
}

diesel::table! {
    staff_alerts (id) {
        id -> Text,
        dedupe_key -> Text,
        user_id -> Text,
        case_id -> Nullable<Text>,
        kind -> Text,
        outbox_message_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    taxonomy_items (list, code) {
        list -> Text,
        code -> Text,
        label -> Text,
        min_value -> Nullable<Int4>,
        max_value -> Nullable<Int4>,
        sort_order -> Int4,
        active -> Bool,
        national -> Bool,
        confirmed -> Bool,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    time_limit_decisions (case_id) {
        case_id -> Text,
        decision -> Text,
        good_reason -> Nullable<Text>,
        still_investigable -> Nullable<Text>,
        decline_reason -> Nullable<Text>,
        decided_by -> Text,
        decided_on -> Date,
        created_at -> Timestamp,
    }
}

diesel::table! {
    timeline_events (id) {
        id -> Text,
        case_id -> Text,
        seq -> Int4,
        occurred_at -> Timestamp,
        actor_id -> Nullable<Text>,
        kind -> Text,
        summary -> Text,
        details -> Text,
        prev_hash -> Text,
        hash -> Text,
        summary_digest -> Nullable<Text>,
        details_digest -> Nullable<Text>,
        erased -> Nullable<Text>,
    }
}

diesel::table! {
    audit_log (id) {
        id -> Text,
        seq -> Int4,
        occurred_at -> Timestamp,
        actor_id -> Nullable<Text>,
        action -> Text,
        target_kind -> Nullable<Text>,
        target_id -> Nullable<Text>,
        client -> Nullable<Text>,
        summary -> Text,
        details -> Text,
        summary_digest -> Text,
        details_digest -> Text,
        prev_hash -> Text,
        hash -> Text,
    }
}

diesel::table! {
    anonymised_cases (case_id) {
        case_id -> Text,
        anonymised_on -> Date,
        run_id -> Text,
    }
}

diesel::table! {
    audit_heads (chain) {
        chain -> Text,
        seq -> Int4,
        hash -> Text,
        seal -> Text,
    }
}

diesel::table! {
    sign_in_failures (user_id, client) {
        user_id -> Text,
        client -> Text,
        failures -> Int4,
        locked_until -> Nullable<Timestamp>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    tracking_links (id) {
        id -> Text,
        case_id -> Text,
        token_hash -> Text,
        created_at -> Timestamp,
        created_by -> Nullable<Text>,
        revoked_at -> Nullable<Timestamp>,
        revoked_by -> Nullable<Text>,
        message_day -> Nullable<Date>,
        messages_on_day -> Int4,
        upload_day -> Nullable<Date>,
        uploads_on_day -> Int4,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        name -> Text,
        role -> Text,
        password_hash -> Text,
        active -> Bool,
        failed_logins -> Int4,
        locked_until -> Nullable<Timestamp>,
        last_login_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(bank_holidays -> calendar_versions (version));
diesel::joinable!(calendar_versions -> users (created_by));
diesel::joinable!(candour_records -> cases (case_id));
diesel::joinable!(candour_steps -> candour_records (record_id));
diesel::joinable!(candour_steps -> users (recorded_by));
diesel::joinable!(case_access_log -> cases (case_id));
diesel::joinable!(case_access_log -> users (user_id));
diesel::joinable!(case_extensions -> cases (case_id));
diesel::joinable!(case_extensions -> users (created_by));
diesel::joinable!(case_pauses -> cases (case_id));
diesel::joinable!(ko41a_submissions -> users (submitted_by));
diesel::joinable!(case_response_subjects -> case_responses (response_id));
diesel::joinable!(case_pauses -> users (created_by));
diesel::joinable!(case_professions -> cases (case_id));
diesel::joinable!(case_responses -> cases (case_id));
diesel::joinable!(case_responses -> users (created_by));
diesel::joinable!(case_services -> cases (case_id));
diesel::joinable!(case_services -> services (service_id));
diesel::joinable!(case_subjects -> cases (case_id));
diesel::joinable!(cases -> calendar_versions (calendar_version));
diesel::joinable!(feedback_answers -> feedback_invitations (invitation_id));
diesel::joinable!(feedback_answers -> feedback_questions (question_code));
diesel::joinable!(feedback_invitations -> cases (case_id));
diesel::joinable!(feedback_invitations -> users (created_by));
diesel::joinable!(feedback_questions -> feedback_stages (stage));
diesel::joinable!(framework_assessment_items -> framework_assessments (assessment_id));
diesel::joinable!(framework_assessment_items -> framework_characteristics (code));
diesel::joinable!(framework_assessments -> users (created_by));
diesel::joinable!(letters -> cases (case_id));
diesel::joinable!(letters -> outbox_messages (outbox_message_id));
diesel::joinable!(meeting_actions -> meetings (meeting_id));
diesel::joinable!(meeting_actions -> users (owner_id));
diesel::joinable!(meeting_attendees -> meetings (meeting_id));
diesel::joinable!(meeting_attendees -> users (user_id));
diesel::joinable!(meeting_schedules -> meetings (meeting_id));
diesel::joinable!(meeting_schedules -> users (changed_by));
diesel::joinable!(meetings -> cases (case_id));
diesel::joinable!(ombudsman_recommendations -> ombudsman_referrals (referral_id));
diesel::joinable!(ombudsman_referrals -> cases (case_id));
diesel::joinable!(ombudsman_referrals -> users (created_by));
diesel::joinable!(outbox_messages -> cases (case_id));
diesel::joinable!(refresh_tokens -> sessions (session_id));
diesel::joinable!(service_change_cases -> cases (case_id));
diesel::joinable!(service_change_cases -> service_changes (service_change_id));
diesel::joinable!(service_change_events -> service_changes (service_change_id));
diesel::joinable!(service_change_events -> users (actor_id));
diesel::joinable!(services -> users (lead_user_id));
diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(staff_alerts -> cases (case_id));
diesel::joinable!(staff_alerts -> outbox_messages (outbox_message_id));
diesel::joinable!(staff_alerts -> users (user_id));
diesel::joinable!(time_limit_decisions -> cases (case_id));
diesel::joinable!(time_limit_decisions -> users (decided_by));
diesel::joinable!(timeline_events -> cases (case_id));
diesel::joinable!(timeline_events -> users (actor_id));
diesel::joinable!(tracking_links -> cases (case_id));
diesel::joinable!(sign_in_failures -> users (user_id));
diesel::joinable!(audit_log -> users (actor_id));
diesel::joinable!(anonymised_cases -> cases (case_id));

diesel::allow_tables_to_appear_in_same_query!(
    anonymised_cases,
    documents,
    audit_heads,
    audit_log,
    bank_holidays,
    sign_in_failures,
    calendar_versions,
    candour_records,
    candour_steps,
    case_access_log,
    case_response_subjects,
    ko41a_submissions,
    case_extensions,
    case_pauses,
    case_professions,
    case_responses,
    case_services,
    case_subjects,
    cases,
    feedback_answers,
    feedback_invitations,
    feedback_questions,
    feedback_stages,
    framework_assessment_items,
    framework_assessments,
    framework_characteristics,
    letters,
    meeting_actions,
    meeting_attendees,
    meeting_schedules,
    meetings,
    ombudsman_recommendations,
    ombudsman_referrals,
    outbox_messages,
    persons,
    reference_counters,
    refresh_tokens,
    service_change_cases,
    service_change_events,
    service_changes,
    services,
    sessions,
    staff_alerts,
    taxonomy_items,
    time_limit_decisions,
    timeline_events,
    tracking_links,
    users,
);

diesel::table! {
    documents (id) {
        id -> Text,
        case_id -> Text,
        series_id -> Text,
        version -> Int4,
        replaced_by -> Nullable<Text>,
        kind -> Text,
        description -> Text,
        file_name -> Text,
        media_type -> Text,
        size_bytes -> Int8,
        sha256 -> Text,
        email_from -> Nullable<Text>,
        email_subject -> Nullable<Text>,
        email_date -> Nullable<Text>,
        source -> Text,
        uploaded_by -> Nullable<Text>,
        uploaded_at -> Timestamp,
        erased -> Nullable<Text>,
        erased_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(documents -> cases (case_id));
