using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Xml;

namespace Lah.Data;

/// <summary>
/// Writes the embedded synthetic scenes as JPEG files in the official layouts (<see cref="DatasetRoot"/>), one scene
/// per real label row of the LAH label files, named as the real image, with the annotation files the real downloads
/// carry, so the real-data route reads them as it reads the downloads:
/// <list type="bullet">
/// <item>voc2007: rows of classification_trainval.csv ‖ classification_test.csv →
/// <c>VOCdevkit/VOC2007/JPEGImages/{id}.jpg</c>, <c>Annotations/{id}.xml</c> (an object per positive label, one
/// marked difficult per difficult label, with its glyph's box), <c>ImageSets/Main/{trainval,test}.txt</c> and
/// <c>{class}_{trainval,test}.txt</c>;</item>
/// <item>coco2014: rows of train.txt ∪ test.txt split by their folder, train2014 then val2014 by image id →
/// <c>coco2014/{train2014,val2014}/COCO_*2014_{id:D12}.jpg</c> and
/// <c>annotations/instances_{train,val}2014.json</c> (COCO's 80 categories with their ids; a box per label);</item>
/// <item>mirflickr25k: the release's image numbers 1..25,000, labelled from train.csv ∪ test.csv (the 419 numbers
/// in neither are unlabelled, as in the release) → <c>mirflickr25k/im{n}.jpg</c> and
/// <c>mirflickr25k_annotations_v080/{label}.txt</c> (+ <c>{label}_r1.txt</c> for the 14 labels the release judges
/// for relevance, listing the same images: the LAH rows carry no relevance judgement).</item>
/// </list>
/// A subset is the first images of each part (VOC trainval / test, COCO train2014 / val2014, MIRFLICKR im1..imN),
/// and every file lists exactly the rendered images.
/// </summary>
public static class DatasetRenderer
{
    /// <summary>The MIRFLICKR-25K labels that have a `_r1` ("relevant") list in the release.</summary>
    public static readonly IReadOnlyList<string> MirflickrRelevanceLabels =
        ["baby", "bird", "car", "clouds", "dog", "female", "flower", "male", "night", "people", "portrait", "river", "sea", "tree"];

    private const int MirflickrImages = 25000;

    /// <summary>The parts of a dataset's layout, in order: voc2007 trainval, test; coco2014 train2014, val2014; mirflickr25k images.</summary>
    public static IReadOnlyList<string> PartNames(string dataset) => dataset switch
    {
        "voc2007" => ["trainval", "test"],
        "coco2014" => ["train2014", "val2014"],
        "mirflickr25k" => ["images"],
        _ => throw new ArgumentException($"unknown dataset '{dataset}' ({string.Join(", ", LahDatasets.Names)})", nameof(dataset)),
    };

    /// <summary>The scenes of a dataset and which of them <paramref name="options"/> render.</summary>
    public static RenderPlan Plan(string dataset, RenderOptions options)
    {
        options.Validate();
        var dir = options.LabelDir ?? DataPaths.LahLabelDirectory(dataset);
        string F(string name) => Path.Combine(dir, name);
        List<(string Id, string Part, MultiLabel Labels)> rows;
        IReadOnlyList<string> labelNames;
        switch (dataset)
        {
            case "voc2007":
                {
                    labelNames = Voc2007.Labels;
                    rows = [];
                    foreach (var part in new[] { "trainval", "test" })
                    {
                        var t = LabelFiles.ReadCsv(F($"classification_{part}.csv"), Voc2007.Labels);
                        rows.AddRange(t.Names.Select((n, i) => (n, part, t.Labels[i])));
                    }
                    break;
                }
            case "coco2014":
                {
                    var names = LabelFiles.ReadNames(F("labels.txt"));
                    foreach (var n in names) CocoCategories.ByName(n);
                    labelNames = names;
                    var all = new[] { "train.txt", "test.txt" }.Select(f => LabelFiles.ReadSpaceList(F(f), names))
                        .SelectMany(t => t.Names.Select((n, i) => (Path: n, Labels: t.Labels[i])));
                    rows = [];
                    foreach (var part in new[] { "train2014", "val2014" })
                        rows.AddRange(all.Where(r => r.Path.StartsWith(part + "/", StringComparison.Ordinal))
                            .Select(r => (Id: Path.GetFileNameWithoutExtension(r.Path), part, r.Labels))
                            .OrderBy(r => r.Id, StringComparer.Ordinal));
                    break;
                }
            case "mirflickr25k":
                {
                    labelNames = Mirflickr25k.Labels;
                    var byNumber = new MultiLabel?[MirflickrImages + 1];
                    foreach (var file in new[] { "train.csv", "test.csv" })
                    {
                        var t = LabelFiles.ReadCsv(F(file), Mirflickr25k.Labels);
                        for (var i = 0; i < t.Count; i++)
                        {
                            if (!int.TryParse(t.Names[i], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n is < 1 or > MirflickrImages)
                                throw new DataFormatException($"{F(file)}: row {i + 1} names image '{t.Names[i]}', expected a number in 1..{MirflickrImages}");
                            if (byNumber[n] is not null) throw new DataFormatException($"{F(file)}: image {n} has a second row");
                            byNumber[n] = t.Labels[i];
                        }
                    }
                    rows = Enumerable.Range(1, MirflickrImages)
                        .Select(n => (n.ToString(CultureInfo.InvariantCulture), "images", byNumber[n] ?? new MultiLabel(new bool[labelNames.Count])))
                        .ToList();
                    break;
                }
            default:
                throw new ArgumentException($"unknown dataset '{dataset}' ({string.Join(", ", LahDatasets.Names)})", nameof(dataset));
        }
        var scenes = new SyntheticScenes($"rendered-{dataset}", labelNames, rows.Select(r => r.Labels).ToArray(), options.Seed,
            options.Size, options.Difficulty);
        var parts = PartNames(dataset).Select(part =>
        {
            var inPart = Enumerable.Range(0, rows.Count).Where(i => rows[i].Part == part).ToArray();
            return (part, inPart[..options.CountOf(part, inPart.Length)]);
        }).ToArray();
        return new RenderPlan(dataset, scenes, rows.Select(r => r.Id).ToArray(), rows.Select(r => r.Part).ToArray(), parts);
    }

    /// <summary>
    /// Renders <paramref name="dataset"/> under <paramref name="root"/>. Its folder (<see cref="DatasetRoot.Folder"/>)
    /// must not exist or be empty: rendered scenes are never mixed with other files. Images are written first, the
    /// files that list them last; every file through a temporary name.
    /// </summary>
    public static RenderSummary Render(string dataset, string root, RenderOptions options)
    {
        CheckTarget(dataset, root);
        var plan = Plan(dataset, options);
        var folder = DatasetRoot.Folder(dataset, root);
        var written = dataset switch
        {
            "voc2007" => WriteVoc(plan, folder, options),
            "coco2014" => WriteCoco(plan, folder, options),
            _ => WriteMirflickr(plan, folder, options),
        };
        var bytes = written.Sum(f => new FileInfo(f).Length);
        return new RenderSummary(dataset, folder, plan.Parts.Select(p => new RenderedPart(p.Part, p.Scenes.Length)).ToArray(),
            written.Count, bytes);
    }

    /// <summary>Throws unless the dataset's folder under <paramref name="root"/> is new or empty (check them all before rendering several).</summary>
    public static void CheckTarget(string dataset, string root)
    {
        var folder = DatasetRoot.Folder(dataset, root);
        if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
            throw new IOException($"{folder}: exists and is not empty; render into an empty folder (rendered scenes are never mixed with other files)");
    }

    /// <summary>Renders every scene of the plan in parallel, writes its JPEG (and per-image files) and returns its objects.</summary>
    private static IReadOnlyList<SceneObject>[] RenderImages(RenderPlan plan, RenderOptions options, Func<int, string> imagePath,
        Action<int, IReadOnlyList<SceneObject>>? perImage = null)
    {
        var scenes = plan.Rendered.ToArray();
        var objects = new IReadOnlyList<SceneObject>[plan.Scenes.Count];
        Parallel.For(0, scenes.Length, k =>
        {
            var i = scenes[k];
            var (image, objs) = plan.Scenes.RenderScene(i);
            AtomicWrite.Bytes(imagePath(i), JpegEncoder.EncodeRgb(image, options.Quality, JpegEncoder.Subsampling444));
            perImage?.Invoke(i, objs);
            objects[i] = objs;
        });
        return objects;
    }

    private static List<string> WriteVoc(RenderPlan plan, string devkit, RenderOptions options)
    {
        var jpeg = Directory.CreateDirectory(Path.Combine(devkit, "JPEGImages")).FullName;
        var ann = Directory.CreateDirectory(Path.Combine(devkit, "Annotations")).FullName;
        var main = Directory.CreateDirectory(Path.Combine(devkit, "ImageSets", "Main")).FullName;
        var files = new List<string>();
        RenderImages(plan, options, i => Path.Combine(jpeg, plan.Ids[i] + ".jpg"),
            (i, objs) => AtomicWrite.Stream(Path.Combine(ann, plan.Ids[i] + ".xml"), s => WriteVocXml(s, plan, i, objs, options.Size)));
        foreach (var i in plan.Rendered)
        {
            files.Add(Path.Combine(jpeg, plan.Ids[i] + ".jpg"));
            files.Add(Path.Combine(ann, plan.Ids[i] + ".xml"));
        }
        foreach (var (part, scenes) in plan.Parts)
        {
            files.Add(Path.Combine(main, part + ".txt"));
            AtomicWrite.Lines(files[^1], scenes.Select(i => plan.Ids[i]));
            for (var c = 0; c < Voc2007.Labels.Count; c++)
            {
                files.Add(Path.Combine(main, $"{Voc2007.Labels[c]}_{part}.txt"));
                // VOC's own format: the id, then the value right-aligned in two characters (" 1", " 0", "-1").
                AtomicWrite.Lines(files[^1], scenes.Select(i => $"{plan.Ids[i]} {plan.Scenes[i].Labels.ToSigned()[c],2}"));
            }
        }
        return files;
    }

    private static void WriteVocXml(Stream stream, RenderPlan plan, int scene, IReadOnlyList<SceneObject> objects, int size)
    {
        var settings = new XmlWriterSettings
        {
            Indent = true,
            IndentChars = "\t",
            OmitXmlDeclaration = true,
            NewLineChars = "\n",
            Encoding = new UTF8Encoding(false),
        };
        using (var w = XmlWriter.Create(stream, settings))
            WriteVocAnnotation(w, plan, scene, objects, size);
        stream.WriteByte((byte)'\n'); // VOC's files end with a newline
    }

    private static void WriteVocAnnotation(XmlWriter w, RenderPlan plan, int scene, IReadOnlyList<SceneObject> objects, int size)
    {
        string I(int v) => v.ToString(CultureInfo.InvariantCulture);
        w.WriteStartElement("annotation");
        w.WriteElementString("folder", "VOC2007");
        w.WriteElementString("filename", plan.Ids[scene] + ".jpg");
        w.WriteStartElement("source");
        w.WriteElementString("database", "The VOC2007 Database");
        w.WriteElementString("annotation", "PASCAL VOC2007");
        w.WriteElementString("image", "LAH.NET synthetic scene (lah data render) of this image's labels");
        w.WriteEndElement();
        w.WriteStartElement("size");
        w.WriteElementString("width", I(size));
        w.WriteElementString("height", I(size));
        w.WriteElementString("depth", "3");
        w.WriteEndElement();
        w.WriteElementString("segmented", "0");
        foreach (var o in objects)
        {
            w.WriteStartElement("object");
            w.WriteElementString("name", Voc2007.Labels[o.Label]);
            w.WriteElementString("pose", "Unspecified");
            w.WriteElementString("truncated", "0");
            w.WriteElementString("difficult", o.Difficult ? "1" : "0");
            w.WriteStartElement("bndbox");
            // VOC's boxes are 1-based and inclusive.
            w.WriteElementString("xmin", I(o.XMin + 1));
            w.WriteElementString("ymin", I(o.YMin + 1));
            w.WriteElementString("xmax", I(o.XMax + 1));
            w.WriteElementString("ymax", I(o.YMax + 1));
            w.WriteEndElement();
            w.WriteEndElement();
        }
        w.WriteEndElement();
    }

    private static List<string> WriteCoco(RenderPlan plan, string folder, RenderOptions options)
    {
        var annDir = Directory.CreateDirectory(Path.Combine(folder, "annotations")).FullName;
        var dirs = plan.Parts.ToDictionary(p => p.Part, p => Directory.CreateDirectory(Path.Combine(folder, p.Part)).FullName);
        string ImagePath(int i) => Path.Combine(dirs[plan.PartOf[i]], plan.Ids[i] + ".jpg");
        var objects = RenderImages(plan, options, ImagePath);
        var files = plan.Rendered.Select(ImagePath).ToList();
        var annotationId = 1L;
        foreach (var (part, scenes) in plan.Parts)
        {
            files.Add(Path.Combine(annDir, $"instances_{part}.json"));
            AtomicWrite.Stream(files[^1], s => WriteInstances(s, plan, part, scenes, objects, options.Size, ref annotationId));
        }
        return files;
    }

    private static void WriteInstances(Stream stream, RenderPlan plan, string part, int[] scenes, IReadOnlyList<SceneObject>[] objects,
        int size, ref long annotationId)
    {
        using var w = new Utf8JsonWriter(stream);
        w.WriteStartObject();
        w.WriteStartObject("info");
        w.WriteString("description", $"LAH.NET synthetic scenes (lah data render) with the labels of COCO {part}");
        w.WriteNumber("year", 2014);
        w.WriteString("version", "1.0");
        w.WriteEndObject();
        w.WriteStartArray("licenses");
        w.WriteStartObject();
        w.WriteNumber("id", 1);
        w.WriteString("name", "rendered by LAH.NET");
        w.WriteString("url", "");
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteStartArray("images");
        foreach (var i in scenes)
        {
            w.WriteStartObject();
            w.WriteNumber("license", 1);
            w.WriteString("file_name", plan.Ids[i] + ".jpg");
            w.WriteNumber("height", size);
            w.WriteNumber("width", size);
            w.WriteNumber("id", CocoImageId(plan.Ids[i]));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartArray("annotations");
        foreach (var i in scenes)
            foreach (var o in objects[i])
            {
                int x = o.XMin, y = o.YMin, bw = o.XMax - o.XMin + 1, bh = o.YMax - o.YMin + 1;
                w.WriteStartObject();
                w.WriteStartArray("segmentation");
                w.WriteStartArray();
                foreach (var v in new[] { x, y, x + bw, y, x + bw, y + bh, x, y + bh }) w.WriteNumberValue(v);
                w.WriteEndArray();
                w.WriteEndArray();
                w.WriteNumber("area", bw * bh);
                w.WriteNumber("iscrowd", 0);
                w.WriteNumber("image_id", CocoImageId(plan.Ids[i]));
                w.WriteStartArray("bbox");
                foreach (var v in new[] { x, y, bw, bh }) w.WriteNumberValue(v);
                w.WriteEndArray();
                w.WriteNumber("category_id", CocoCategories.ByName(plan.Scenes.LabelNames[o.Label]).Id);
                w.WriteNumber("id", annotationId++);
                w.WriteEndObject();
            }
        w.WriteEndArray();
        w.WriteStartArray("categories");
        foreach (var c in CocoCategories.All)
        {
            w.WriteStartObject();
            w.WriteString("supercategory", c.Supercategory);
            w.WriteNumber("id", c.Id);
            w.WriteString("name", c.Name);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>The number in `COCO_train2014_000000072095`.</summary>
    private static long CocoImageId(string stem) => long.Parse(stem[(stem.LastIndexOf('_') + 1)..], CultureInfo.InvariantCulture);

    private static List<string> WriteMirflickr(RenderPlan plan, string folder, RenderOptions options)
    {
        Directory.CreateDirectory(folder);
        var annDir = Directory.CreateDirectory(Path.Combine(folder, DatasetRoot.MirflickrAnnotationFolder)).FullName;
        string ImagePath(int i) => Path.Combine(folder, $"im{plan.Ids[i]}.jpg");
        RenderImages(plan, options, ImagePath);
        var files = plan.Rendered.Select(ImagePath).ToList();
        var rendered = plan.Rendered.ToArray();
        for (var c = 0; c < Mirflickr25k.Labels.Count; c++)
        {
            var label = Mirflickr25k.Labels[c];
            var listed = rendered.Where(i => plan.Scenes[i].Labels.Positive[c]).Select(i => plan.Ids[i]).ToArray();
            files.Add(Path.Combine(annDir, label + ".txt"));
            AtomicWrite.Lines(files[^1], listed);
            if (MirflickrRelevanceLabels.Contains(label))
            {
                files.Add(Path.Combine(annDir, label + "_r1.txt"));
                AtomicWrite.Lines(files[^1], listed);
            }
        }
        files.Add(Path.Combine(annDir, "README.txt"));
        AtomicWrite.Lines(files[^1],
        [
            "Rendered by LAH.NET (lah data render): synthetic scenes carrying the MIRFLICKR-25K labels of the LAH label files.",
            "<label>.txt lists the numbers of the images (im<n>.jpg) that carry the label, as the release's files do.",
            "<label>_r1.txt repeats <label>.txt: the LAH label rows carry no relevance judgement.",
        ]);
        return files;
    }
}
