namespace Midrc.Curation.Clinical;

/// <summary>The column names of the clinical CSVs (MIDRC dictionary property names), for code that reads rows.</summary>
public static class ClinicalColumnNames
{
#pragma warning disable CS1591 // Each constant is its own documentation: the MIDRC property name.
    public const string SubmitterId = "submitter_id";
    public const string CaseSubmitterId = "cases.submitter_id";

    public const string AgeAtIndex = "age_at_index";
    public const string AgeAtIndexGt89 = "age_at_index_gt89";
    public const string Sex = "sex";
    public const string Race = "race";
    public const string Ethnicity = "ethnicity";
    public const string Zip = "zip";
    public const string Covid19Positive = "covid19_positive";
    public const string IcuIndicator = "icu_indicator";
    public const string VentilatorIndicator = "ventilator_indicator";

    public const string DaysToHospitalAdmission = "days_to_hospital_admission";
    public const string DaysToIcuAdmission = "days_to_icu_admission";
    public const string DaysToIcuDischarge = "days_to_icu_discharge";
    public const string DaysToHospitalDischarge = "days_to_hospital_discharge";
    public const string DischargeType = "discharge_type";

    public const string ProcedureType = "procedure_type";
    public const string DaysToProcedureStart = "days_to_procedure_start";
    public const string DaysToProcedureEnd = "days_to_procedure_end";

    public const string TestName = "test_name";
    public const string TestMethod = "test_method";
    public const string TestResultText = "test_result_text";
    public const string TestDaysFromIndex = "test_days_from_index";

    public const string StudyUid = "study_uid";
    public const string DaysToStudy = "days_to_study";
    public const string StudyModality = "study_modality";
    public const string StudyDescription = "study_description";
#pragma warning restore CS1591
}
