using System.Text.Json.Serialization;
using Midrc.Curation.Dicom;
using Midrc.Curation.Findings;

namespace Midrc.Curation.Workers;

/// <summary>First line the pool sends a worker: the settings its checks factory receives.</summary>
internal sealed record WorkerHello(string Settings, DicomReaderOptions ReaderOptions);

/// <summary>A batch of files to analyse; the worker answers one <see cref="WorkerResult"/> line per path, in order.</summary>
internal sealed record WorkerBatch(IReadOnlyList<string> Paths);

/// <summary>One file's result, tagged with its index in the batch.</summary>
internal sealed record WorkerResult(int Index, FileAnalysis Analysis);

/// <summary>Compact JSON lines between the pool and its workers.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull, UseStringEnumConverter = true, Converters = [typeof(SharedStringConverter)])]
[JsonSerializable(typeof(WorkerHello))]
[JsonSerializable(typeof(WorkerBatch))]
[JsonSerializable(typeof(DicomReaderOptions))]
[JsonSerializable(typeof(WorkerResult))]
[JsonSerializable(typeof(FileAnalysis))]
[JsonSerializable(typeof(IndexAttributes))]
[JsonSerializable(typeof(Finding))]
internal sealed partial class WorkerJsonContext : JsonSerializerContext;
