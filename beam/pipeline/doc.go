// Package pipeline scores large datasets with a Bayesian network's predictive
// uncertainty on Apache Beam: it reads records, loads a saved model once per
// worker, runs the Monte-Carlo predictive pass over batches of records and
// writes one output line per input record, keyed by the record.
//
// The pipeline is
//
//	match files -> read records -> spread over shards -> score in batches -> write shards -> commit
//
// Records come from IDX image files (MNIST's format, plain or gzipped, read by
// the core datasets package; a record's key is its index in the file) or from
// newline-delimited JSON, one object per line holding a key and a feature
// vector (gzipped when the name ends in .gz). Every record must have the
// model's input width; a record that does not fails the pipeline with an error
// naming the file and the line or index.
//
// Scoring is deterministic per record: a record's figures depend only on the
// seed, the number of samples, the record and the model's parameters, never on
// the worker, the bundle or the other records of its batch. So a rerun, another
// runner or another parallelism gives the same figures.
//
// Output is written atomically: every bundle writes its lines to a shard in a
// staging directory beside the output, and only when every shard is written
// does one last step concatenate them into a temporary file and rename it onto
// the output, then delete the staging directory. A run that fails leaves no
// output file (or the previous one, whole), never a partial one.
//
// Run runs the pipeline on Beam's Prism runner in-process by default, with
// nothing installed; Config.Runner selects any runner registered with Beam
// (Flink, Spark and Dataflow through Beam's portable runner options, see the
// bnn-score command). Records scored and records flagged out of distribution
// are Beam metrics, summed in the returned Summary.
package pipeline
