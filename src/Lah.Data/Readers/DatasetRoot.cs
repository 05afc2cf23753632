namespace Lah.Data;

/// <summary>
/// A data root laid out as the three downloads unpack (and as <see cref="DatasetRenderer"/> writes it):
/// <c>ROOT/VOCdevkit/VOC2007/{JPEGImages,Annotations,ImageSets/Main}</c>,
/// <c>ROOT/coco2014/{train2014,val2014,annotations/instances_{train,val}2014.json}</c> and
/// <c>ROOT/mirflickr25k/{im*.jpg,mirflickr25k_annotations_v080/*.txt}</c>. <see cref="Load"/> reads a dataset's
/// labels and parts from the root's own annotation files, as a user's downloads are read; the LAH label files of
/// <c>data/lah</c> are the other route (<see cref="LahDatasets.Load"/>), for the protocols defined on them.
/// </summary>
public static class DatasetRoot
{
    /// <summary>The annotation folder of the MIRFLICKR-25K release (mirflickr25k_annotations_v080.zip).</summary>
    public const string MirflickrAnnotationFolder = "mirflickr25k_annotations_v080";

    /// <summary><c>ROOT/VOCdevkit/VOC2007</c>.</summary>
    public static string VocDevkit(string root) => Path.Combine(root, "VOCdevkit", "VOC2007");

    /// <summary><c>ROOT/coco2014</c>: train2014/, val2014/ and annotations/.</summary>
    public static string CocoFolder(string root) => Path.Combine(root, "coco2014");

    /// <summary><c>ROOT/coco2014/annotations</c>.</summary>
    public static string CocoAnnotations(string root) => Path.Combine(CocoFolder(root), "annotations");

    /// <summary><c>ROOT/mirflickr25k</c>: the images im1.jpg … im25000.jpg.</summary>
    public static string MirflickrFolder(string root) => Path.Combine(root, "mirflickr25k");

    /// <summary><c>ROOT/mirflickr25k/mirflickr25k_annotations_v080</c>.</summary>
    public static string MirflickrAnnotations(string root) => Path.Combine(MirflickrFolder(root), MirflickrAnnotationFolder);

    /// <summary>
    /// The folder a dataset's images are found under (the image root of <see cref="LahDatasets.Load"/> too): the
    /// devkit, the COCO folder, the MIRFLICKR image folder.
    /// </summary>
    public static string Folder(string dataset, string root) => dataset switch
    {
        "voc2007" => VocDevkit(root),
        "coco2014" => CocoFolder(root),
        "mirflickr25k" => MirflickrFolder(root),
        _ => throw new ArgumentException($"unknown dataset '{dataset}' ({string.Join(", ", LahDatasets.Names)})", nameof(dataset)),
    };

    /// <summary>
    /// A dataset's pool from the root's own annotation files, after checking that they agree with the image folders
    /// (one line naming the first file that does not; no image is decoded here: <see cref="DatasetCheck"/> reads the
    /// headers of the split's images):
    /// voc2007: <see cref="Voc2007.LoadDevkit"/> (trainval ‖ test from ImageSets/Main, labels and difficult flags
    /// from Annotations/*.xml); coco2014: <see cref="LahDatasets.LoadCocoFull"/> with its layout checks (annotated
    /// train2014 ‖ val2014, COCO's 80 categories); mirflickr25k: <see cref="Mirflickr25k.LoadRelease"/> (labelled
    /// images by number from the 24 label files).
    /// </summary>
    public static DatasetPool Load(string dataset, string root)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"data root not found: {root}");
        var folder = Folder(dataset, root);
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"{folder}: not found; expected {Layout(dataset)}");
        return dataset switch
        {
            "voc2007" => Voc2007.LoadDevkit(folder),
            "coco2014" => LahDatasets.LoadCocoFull(CocoAnnotations(root), folder, checkLayout: true),
            _ => Mirflickr25k.LoadRelease(folder, MirflickrAnnotations(root)),
        };
    }

    /// <summary>
    /// The pool a named protocol is defined on: the root's own annotation files (<see cref="Load"/>), or for a
    /// protocol on the LAH label files (<see cref="PoolSource.LahFiles"/>) those of <paramref name="lahLabelDir"/>
    /// with the images they name under <see cref="Folder"/>.
    /// </summary>
    public static DatasetPool LoadForProtocol(string dataset, string protocol, string root, string lahLabelDir) =>
        Splits.Find(dataset, protocol).Pool == PoolSource.LahFiles
            ? LahDatasets.Load(dataset, lahLabelDir, Folder(dataset, root))
            : Load(dataset, root);

    /// <summary>
    /// The protocol the LAH paper describes, on the root's own files: VOC2007 trainval / test
    /// (<see cref="SplitNames.DchDevkit"/>), MIRFLICKR's 2,000 random queries (<see cref="SplitNames.DchAnnotations"/>),
    /// and for COCO, which the paper leaves open, DCH's 5,000 random queries of train2014 ∪ val2014 annotated
    /// (<see cref="SplitNames.DchFull"/>).
    /// </summary>
    public static string PaperProtocol(string dataset) => dataset switch
    {
        "voc2007" => SplitNames.DchDevkit,
        "coco2014" => SplitNames.DchFull,
        "mirflickr25k" => SplitNames.DchAnnotations,
        _ => throw new ArgumentException($"unknown dataset '{dataset}' ({string.Join(", ", LahDatasets.Names)})", nameof(dataset)),
    };

    /// <summary>What a dataset's folder holds, for error messages.</summary>
    public static string Layout(string dataset) => dataset switch
    {
        "voc2007" => "the VOC2007 devkit: ROOT/VOCdevkit/VOC2007/{JPEGImages/*.jpg, Annotations/*.xml, ImageSets/Main/*.txt}",
        "coco2014" => "COCO 2014: ROOT/coco2014/{train2014/*.jpg, val2014/*.jpg, annotations/instances_{train,val}2014.json}",
        "mirflickr25k" => $"MIRFLICKR-25K: ROOT/mirflickr25k/{{im*.jpg, {MirflickrAnnotationFolder}/*.txt}}",
        _ => throw new ArgumentException($"unknown dataset '{dataset}' ({string.Join(", ", LahDatasets.Names)})", nameof(dataset)),
    };
}
