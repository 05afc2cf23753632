/// The numbers the LAH paper publishes (IJCAI 2020, Table 2; Table 1's LAH row is its GloVe + MFB row), MAP@H≤2 on
/// the real datasets with an ImageNet ResNet-101. Printed apart from our runs, never mixed with them.
module Lah.Experiments.Catalog.Published

open Lah.Experiments
open Lah.Hashing.Config

let private source =
    "Label-Attended Hashing (IJCAI 2020), Table 2: real VOC2007 / MS-COCO / MIRFLICKR-25K, ResNet-101 pretrained "
    + "on ImageNet, MAP within Hamming radius 2 (which of the official code's averages is not stated)"

let private row label (voc: float list) (coco: float list) (flickr: float list) =
    let bits = [ 16; 32; 48; 64; 128 ]

    {
        Label = label
        Source = source
        Values =
            Map.ofList (
                [
                    for d, values in [ Voc2007, voc; Coco2014, coco; Mirflickr25k, flickr ] do
                        for b, v in List.zip bits values -> (d, b), v
                ]
            )
    }

/// Table 2 of the paper by (word embedding, fusion); "neither" is the image feature alone.
let table2 =
    [
        (WordEmbedding.Glove, FusionKind.Mfb),
        row
            "LAH GloVe + MFB (paper)"
            [ 0.5984; 0.6745; 0.7797; 0.8318; 0.9191 ]
            [ 0.8101; 0.8628; 0.8730; 0.9006; 0.9019 ]
            [ 0.7834; 0.8782; 0.9043; 0.9107; 0.9260 ]
        (WordEmbedding.Glove, FusionKind.DotProduct),
        row
            "LAH GloVe + DP (paper)"
            [ 0.6098; 0.6713; 0.7476; 0.8010; 0.9015 ]
            [ 0.7984; 0.8118; 0.8502; 0.8841; 0.9001 ]
            [ 0.7553; 0.7804; 0.8889; 0.8971; 0.9017 ]
        (WordEmbedding.GoogleNews, FusionKind.Mfb),
        row
            "LAH GoogleNews + MFB (paper)"
            [ 0.5906; 0.6339; 0.6917; 0.8073; 0.8553 ]
            [ 0.8007; 0.8386; 0.8620; 0.8990; 0.9009 ]
            [ 0.7470; 0.7366; 0.8593; 0.8783; 0.9002 ]
        (WordEmbedding.GoogleNews, FusionKind.DotProduct),
        row
            "LAH GoogleNews + DP (paper)"
            [ 0.5014; 0.6341; 0.6125; 0.6523; 0.7986 ]
            [ 0.8026; 0.8511; 0.8371; 0.8985; 0.9007 ]
            [ 0.7024; 0.7887; 0.8307; 0.8632; 0.8982 ]
        (WordEmbedding.FastText, FusionKind.Mfb),
        row
            "LAH FastText + MFB (paper)"
            [ 0.6133; 0.6726; 0.6986; 0.7547; 0.8265 ]
            [ 0.8010; 0.8381; 0.8645; 0.8852; 0.9007 ]
            [ 0.7486; 0.7264; 0.8513; 0.8661; 0.8983 ]
        (WordEmbedding.FastText, FusionKind.DotProduct),
        row
            "LAH FastText + DP (paper)"
            [ 0.6018; 0.6249; 0.6704; 0.7053; 0.8141 ]
            [ 0.7998; 0.8376; 0.8891; 0.8666; 0.8913 ]
            [ 0.7374; 0.7490; 0.8066; 0.8223; 0.8768 ]
        (WordEmbedding.None, FusionKind.None),
        row
            "neither (paper)"
            [ 0.5779; 0.6556; 0.7576; 0.7326; 0.7033 ]
            [ 0.8010; 0.8576; 0.8521; 0.8299; 0.7836 ]
            [ 0.7837; 0.8681; 0.8694; 0.8407; 0.7911 ]
    ]

/// Table 1's LAH row (equal to Table 2's GloVe + MFB row).
let table1 =
    [
        { (List.find (fun (k, _) -> k = (WordEmbedding.Glove, FusionKind.Mfb)) table2 |> snd) with
            Label = "LAH (paper)"
        }
    ]
