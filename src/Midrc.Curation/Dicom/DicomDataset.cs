namespace Midrc.Curation.Dicom;

/// <summary>An immutable list of data elements in tag order: a file's main data set or one sequence item.</summary>
public sealed class DicomDataset
{
    private readonly Dictionary<DicomTag, DicomElement> _byTag;

    /// <summary>Creates a data set from its elements (kept in tag order).</summary>
    public DicomDataset(IEnumerable<DicomElement> elements)
    {
        List<DicomElement> list = [.. elements];
        // Readers deliver elements in tag order, as files store them: only other sources pay for the (stable) sort.
        Elements = InTagOrder(list) ? list : [.. list.OrderBy(e => e.Tag)];
        _byTag = new Dictionary<DicomTag, DicomElement>(Elements.Count);
        foreach (var e in Elements)
        {
            _byTag.TryAdd(e.Tag, e);
        }
    }

    /// <summary>The empty data set.</summary>
    public static DicomDataset Empty { get; } = new([]);

    /// <summary>The elements at this level, in tag order.</summary>
    public IReadOnlyList<DicomElement> Elements { get; }

    /// <summary>The element with this tag at this level, if present.</summary>
    public DicomElement? Find(DicomTag tag) => _byTag.GetValueOrDefault(tag);

    /// <summary>True when an element with this tag is present at this level.</summary>
    public bool Contains(DicomTag tag) => _byTag.ContainsKey(tag);

    /// <summary>The first value of the element, trimmed, or null when absent or empty.</summary>
    public string? GetString(DicomTag tag)
    {
        var e = Find(tag);
        if (e is null || e.Values.Count == 0)
        {
            return null;
        }
        var v = e.Values[0].Trim();
        return v.Length == 0 ? null : v;
    }

    /// <summary>Every element at every depth, depth first, sequences before their items' elements.</summary>
    public IEnumerable<DicomElement> Walk()
    {
        foreach (var e in Elements)
        {
            yield return e;
            foreach (var item in e.Items)
            {
                foreach (var nested in item.Walk())
                {
                    yield return nested;
                }
            }
        }
    }

    private static bool InTagOrder(List<DicomElement> elements)
    {
        for (var i = 1; i < elements.Count; i++)
        {
            if (elements[i - 1].Tag.CompareTo(elements[i].Tag) > 0)
            {
                return false;
            }
        }
        return true;
    }
}
