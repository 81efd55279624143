#!/bin/sh
# The worker under valgrind memcheck, as tests/memcheck/run.sh starts the
# stack with it (LCM_BIN): each worker process writes its report to
# $MEMCHECK_DIR/worker.PID when it exits.
exec valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite,indirect,possible \
	--errors-for-leak-kinds=definite,indirect,possible --track-origins=yes --num-callers=30 \
	--log-file="$MEMCHECK_DIR/worker.%p" "$MEMCHECK_WORKER" "$@"
